package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/pricing"
)

// legacyRoutes registers the legacy catalogue. The /{tcg}/… routes are
// registered once per known TCG slug (static segments), so they never
// compete with /api, /auth, /static, /scan … and an unknown slug is a
// plain 404. /tcgs/{slug} and /{tcg}/sets send browsers (Accept: text/html)
// to their localised variant /en/… or /nl/… (302, see langRedirect), which
// answer the same; API clients are never redirected.
func (s *Server) legacyRoutes(r *gin.Engine) {
	r.GET("/tcgs", cache(300), s.tcgs)
	r.GET("/tcgs/:slug", s.langRedirect, cache(300), s.tcg)
	for _, lang := range pageLanguages {
		r.GET("/"+lang+"/tcgs/:slug", cache(300), s.tcg)
	}
	for _, slug := range pricing.TCGSlugs {
		setSlug := func(c *gin.Context) { c.Set(tcgKey, slug) }
		g := r.Group("/"+slug, setSlug)
		g.GET("/sets", s.langRedirect, cache(300), s.legacySets)
		for _, lang := range pageLanguages {
			r.GET("/"+lang+"/"+slug+"/sets", setSlug, cache(300), s.legacySets)
		}
		g.GET("/sets/:set_id", cache(300), s.legacySet)
		g.GET("/sets/:set_id/stats", cache(300), s.setStats)
		g.GET("/cards", cache(120), s.legacyCards)
		g.GET("/cards/:card_id", cache(120), s.legacyCard)
		g.GET("/sealed", cache(120), s.sealedList)
		g.GET("/sealed/:id", cache(120), s.sealedDetail)
	}
	r.GET("/api/sets/:set_id/stats", cache(300), s.setStats)
	r.GET("/api/sets/:set_id/top-cards", cache(300), s.topCards)
	r.GET("/api/cards/recent", cache(120), s.recentCards)
	r.GET("/api/compare", cache(120), s.compare)
	r.GET("/api/cards/:card_id/buy-links", cache(300), s.buyLinks)
	r.GET("/api/cards/:card_id/evolution", cache(300), s.evolution)
}

const tcgKey = "csm.tcg"

func (s *Server) tcgs(c *gin.Context) {
	items, err := s.cfg.Pricing.TCGs(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{"items": items})
}

func (s *Server) tcg(c *gin.Context) {
	t, err := s.cfg.Pricing.TCG(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, t)
}

func (s *Server) legacySets(c *gin.Context) {
	p := newParams(c)
	limit := p.intRange("query", "limit", 50, 1, 200)
	offset := p.intRange("query", "offset", 0, 0, 1_000_000)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.cfg.Pricing.Sets(c.Request.Context(), c.GetString(tcgKey), int(limit), int(offset))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, page)
}

func (s *Server) legacySet(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "set_id", 0, 1, maxID)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	set, err := s.cfg.Pricing.Set(c.Request.Context(), c.GetString(tcgKey), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, set)
}

func (s *Server) setStats(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "set_id", 0, 1, maxID)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	if tcg := c.GetString(tcgKey); tcg != "" {
		if _, err := s.cfg.Pricing.Set(c.Request.Context(), tcg, id); err != nil {
			s.fail(c, err)
			return
		}
	}
	st, err := s.cfg.Pricing.SetStats(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, st)
}

func (s *Server) topCards(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "set_id", 0, 1, maxID)
	limit := p.intRange("query", "limit", 10, 1, 50)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	top, err := s.cfg.Pricing.TopCards(c.Request.Context(), id, int(limit))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, top)
}

func (s *Server) legacyCards(c *gin.Context) {
	p := newParams(c)
	f := pricing.CardFilter{TCG: c.GetString(tcgKey)}
	f.Limit = int(p.intRange("query", "limit", 50, 1, 200))
	f.Offset = int(p.intRange("query", "offset", 0, 0, 10_000_000))
	f.SetID = p.intRange("query", "set_id", 0, 1, maxID)
	f.Rarity = p.str("rarity", 100)
	f.Name = p.str("name", 200)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.cfg.Pricing.Cards(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, page)
}

func (s *Server) legacyCard(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "card_id", 0, 1, maxID)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	card, err := s.cfg.Pricing.Card(c.Request.Context(), c.GetString(tcgKey), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, card)
}

// tcgParam validates an optional tcg_slug query (one of the 15).
func tcgParam(p *params, name string) string {
	raw, present := p.c.GetQuery(name)
	if !present || raw == "" || raw == "all" {
		return ""
	}
	for _, t := range pricing.TCGSlugs {
		if raw == t {
			return raw
		}
	}
	p.add("query", name, "unknown TCG slug", "type_error.enum")
	return ""
}

func (s *Server) recentCards(c *gin.Context) {
	p := newParams(c)
	limit := p.intRange("query", "limit", 50, 1, 200)
	tcg := tcgParam(p, "tcg_slug")
	var since *time.Time
	if raw := c.Query("since"); raw != "" {
		d, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			p.add("query", "since", "invalid date format, expected YYYY-MM-DD", "value_error.date")
		} else {
			since = &d
		}
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	cards, day, err := s.cfg.Pricing.RecentCards(c.Request.Context(), tcg, since, int(limit))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{"items": cards, "since": day.Format(time.DateOnly), "count": len(cards), "limit": limit})
}

// idList parses a comma-separated list of positive ids.
func idList(p *params, name string) []int64 {
	raw, present := p.c.GetQuery(name)
	if !present || strings.TrimSpace(raw) == "" {
		p.add("query", name, "field required", "value_error.missing")
		return nil
	}
	var ids []int64
	for _, part := range strings.Split(raw, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil || n < 1 {
			p.add("query", name, "value is not a valid comma-separated list of integers", "type_error.integer")
			return nil
		}
		ids = append(ids, n)
	}
	if len(ids) > pricing.MaxCompare {
		p.add("query", name, "ensure this value has at most 20 items", "value_error.list.max_items")
		return nil
	}
	return ids
}

func (s *Server) compare(c *gin.Context) {
	p := newParams(c)
	ids := idList(p, "ids")
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	cards, err := s.cfg.Pricing.Compare(c.Request.Context(), ids)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{"items": cards, "count": len(cards)})
}

func (s *Server) buyLinks(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "card_id", 0, 1, maxID)
	variant := p.str("variant", 50)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	links, err := s.cfg.Pricing.BuyLinks(c.Request.Context(), id, variant)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, links)
}

func (s *Server) evolution(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "card_id", 0, 1, maxID)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	ev, err := s.cfg.Pricing.Evolution(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, ev)
}

func (s *Server) sealedList(c *gin.Context) {
	p := newParams(c)
	limit := p.intRange("query", "limit", 50, 1, 200)
	offset := p.intRange("query", "offset", 0, 0, 1_000_000)
	setID := p.intRange("query", "set_id", 0, 1, maxID)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.cfg.Pricing.SealedList(c.Request.Context(), c.GetString(tcgKey), setID, int(limit), int(offset))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, page)
}

func (s *Server) sealedDetail(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "id", 0, 1, maxID)
	days := p.intRange("query", "days", 90, 1, 3650)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.cfg.Pricing.SealedDetail(c.Request.Context(), c.GetString(tcgKey), id, int(days))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, d)
}

var _ = catalog.ENOTFOUND
