package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

const maxID = 1<<63 - 1

func (s *Server) stats(c *gin.Context) {
	st, err := s.cfg.Catalog.Stats(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, st)
}

func (s *Server) games(c *gin.Context) {
	games, err := s.cfg.Catalog.Games(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{"items": games})
}

func (s *Server) game(c *gin.Context) {
	p := newParams(c)
	page := p.intRange("query", "page", 1, 1, 1_000_000)
	size := p.intRange("query", "size", 50, 1, 200)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	g, sets, total, err := s.cfg.Catalog.Game(c.Request.Context(), c.Param("slug"), catalog.Page{Page: int(page), Size: int(size)})
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{
		"slug": g.Slug, "name": g.Name, "active": g.Active, "cards": g.Cards, "sets": g.Sets,
		"page": page, "size": size, "sets_total": total, "sets_list": sets,
	})
}

func (s *Server) set(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "id", 0, 1, maxID)
	page := p.intRange("query", "page", 1, 1, 1_000_000)
	size := p.intRange("query", "size", 60, 1, 250)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	set, g, cards, total, err := s.cfg.Catalog.Set(c.Request.Context(), id, catalog.Page{Page: int(page), Size: int(size)})
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{
		"id": set.ID, "code": set.Code, "name": set.Name, "series": set.Series,
		"game": g, "release_date": set.ReleaseDate, "total_cards": set.TotalCards,
		"is_promo": set.IsPromo, "language": set.Language,
		"page": page, "size": size, "cards_total": total, "cards": cards,
	})
}

func (s *Server) findCards(c *gin.Context) {
	p := newParams(c)
	f := catalog.CardFilter{
		Game:   p.str("game", 100),
		Name:   p.str("name", 200),
		Number: p.str("number", 50),
		Limit:  int(p.intRange("query", "limit", 25, 1, 100)),
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	if f.Game == "" && f.Name == "" && f.Number == "" {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "Pass at least one of game, name or number"))
		return
	}
	cards, err := s.cfg.Catalog.FindCards(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{"items": cards})
}

func (s *Server) card(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "id", 0, 1, maxID)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	body, err := s.cfg.Catalog.CardDocument(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	okJSON(c, body)
}

func (s *Server) history(c *gin.Context) {
	p := newParams(c)
	q := catalog.HistoryQuery{
		CardID:    p.intRange("path", "id", 0, 1, maxID),
		VariantID: p.intRange("query", "variant_id", 0, 1, maxID),
		Region:    p.enum("region", catalog.RegionEU, catalog.RegionEU, catalog.RegionUS, catalog.RegionJP, catalog.RegionGlobal),
		Days:      int(p.intRange("query", "days", 90, 1, 3650)),
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	now := s.cfg.Now().UTC()
	q.Today = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	points, err := s.cfg.Catalog.History(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{"points": points})
}
