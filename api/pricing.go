package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/pricing"
)

// pricingRoutes registers search, prices and history, market
// intelligence, predictions and the Stash Score.
func (s *Server) pricingRoutes(r *gin.Engine) {
	r.GET("/api/search", cache(60), s.search)
	cards := r.Group("/api/cards/:card_id")
	cards.GET("/prices", cache(120), s.cardPrices)
	cards.GET("/history", cache(300), s.cardHistory)
	cards.GET("/snapshots", cache(300), s.cardSnapshots)
	cards.GET("/sold-comps", cache(300), s.soldComps)
	cards.GET("/recent-sales", cache(300), s.recentSales)
	cards.GET("/predict", cache(600), s.predict)
	cards.GET("/stash-score", cache(600), s.stashScore)
	// the chart payload and the side-rail are cached 10 minutes
	tenMin := newRespCache(10_000, 10*time.Minute).middleware()
	cards.GET("/chart", cache(600), tenMin, s.cardChart)
	cards.GET("/trend", cache(600), tenMin, s.cardTrend)

	r.GET("/api/market/movers", cache(60), s.movers)
	r.GET("/api/market/movers/legacy", cache(60), s.legacyMovers)
	r.GET("/api/market/spreads", cache(60), s.spreads)
	r.GET("/api/market/stats", cache(60), s.marketStats)
	r.GET("/api/predictions/top", cache(300), s.topPredictions)
}

func (s *Server) search(c *gin.Context) {
	p := newParams(c)
	q := pricing.SearchQuery{Q: c.Query("q")}
	if len(q.Q) > pricing.SearchMaxQuery {
		p.add("query", "q", "ensure this value has at most 200 characters", "value_error.any_str.max_length")
	}
	if _, present := c.GetQuery("q"); !present || strings.TrimSpace(q.Q) == "" {
		p.add("query", "q", "field required", "value_error.missing")
	}
	q.TCG = tcgParam(p, "tcg_slug")
	q.SetID = p.intRange("query", "set_id", 0, 1, maxID)
	q.Rarity = p.str("rarity", 100)
	q.MinPrice = floatParam(p, "min_price")
	q.MaxPrice = floatParam(p, "max_price")
	q.Language = p.str("language", 10)
	if _, present := c.GetQuery("foil_status"); present {
		q.Finish = p.enum("foil_status", "", "nonfoil", "foil", "etched")
	}
	q.Limit = int(p.intRange("query", "limit", 50, 1, pricing.SearchMaxLimit))
	q.Offset = int(p.intRange("query", "offset", 0, 0, 100_000))
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.cfg.Pricing.Search(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, res)
}

// floatParam parses an optional non-negative number.
func floatParam(p *params, name string) *float64 {
	raw, present := p.c.GetQuery(name)
	if !present || raw == "" {
		return nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || f != f {
		p.add("query", name, "value is not a valid float", "type_error.float")
		return nil
	}
	if f < 0 || f > 1e9 {
		p.add("query", name, "ensure this value is between 0 and 1000000000", "value_error.number.not_ge")
		return nil
	}
	return &f
}

func (s *Server) cardID(p *params) int64 { return p.intRange("path", "card_id", 0, 1, maxID) }

func (s *Server) cardPrices(c *gin.Context) {
	p := newParams(c)
	id := s.cardID(p)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.Prices(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) cardHistory(c *gin.Context) {
	p := newParams(c)
	q := pricing.HistoryQuery{CardID: s.cardID(p)}
	q.Days = 90
	if _, present := c.GetQuery("days"); present {
		d, _ := strconv.Atoi(p.enum("days", "90", "7", "30", "90", "180", "365"))
		q.Days = d
	}
	q.Source = p.str("source", 50)
	q.Variant = p.str("variant", 50)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.History(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) cardChart(c *gin.Context) {
	p := newParams(c)
	id := s.cardID(p)
	days := p.intRange("query", "days", 3650, 1, 3650)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.Chart(c.Request.Context(), id, int(days))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) cardSnapshots(c *gin.Context) {
	p := newParams(c)
	id := s.cardID(p)
	source := p.str("source", 50)
	variant := p.str("variant", 50)
	days := p.intRange("query", "days", 180, 1, 365)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.Snapshots(c.Request.Context(), id, source, variant, int(days))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) soldComps(c *gin.Context) {
	p := newParams(c)
	id := s.cardID(p)
	days := p.intRange("query", "days", 90, 1, 365)
	company := p.str("grading_company", 20)
	grade := p.str("grade", 10)
	if grade != "" && company == "" {
		p.add("query", "grade", "grade requires grading_company", "value_error")
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.SoldAggregates(c.Request.Context(), id, int(days), company, grade)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) cardTrend(c *gin.Context) {
	p := newParams(c)
	q := pricing.TrendQuery{CardID: s.cardID(p)}
	q.Variant = p.str("variant", 50)
	q.Company = p.str("grading_company", 20)
	q.Grade = p.str("grade", 10)
	if q.Grade != "" && q.Company == "" {
		p.add("query", "grade", "grade requires grading_company", "value_error")
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.Trend(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) recentSales(c *gin.Context) {
	p := newParams(c)
	q := pricing.RecentSalesQuery{CardID: s.cardID(p)}
	q.WindowDays = int(p.intRange("query", "window_days", 30, 1, 3650))
	q.Limit = int(p.intRange("query", "limit", 50, 1, 500))
	q.Company = p.str("grading_company", 20)
	q.Grade = p.str("grade", 10)
	q.Language = p.str("language", 10)
	q.Variant = p.str("variant", 50)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.RecentSales(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) movers(c *gin.Context) {
	p := newParams(c)
	q := pricing.MoversQuery{TCG: "all"}
	if t := tcgParam(p, "tcg"); t != "" {
		q.TCG = t
	}
	q.Period = p.enum("period", "7d", pricing.Periods...)
	q.Limit = int(p.intRange("query", "limit", 20, 1, pricing.MoversMax))
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.Movers(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) legacyMovers(c *gin.Context) {
	p := newParams(c)
	dir := p.enum("direction", "up", "up", "down")
	limit := p.intRange("query", "limit", 12, 1, 50)
	tcg := tcgParam(p, "tcg_slug")
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.LegacyMovers(c.Request.Context(), tcg, dir, int(limit))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{"items": out, "direction": dir, "period": "30d"})
}

func (s *Server) spreads(c *gin.Context) {
	p := newParams(c)
	limit := p.intRange("query", "limit", 20, 1, 100)
	tcg := tcgParam(p, "tcg_slug")
	min := 20.0
	if f := floatParam(p, "min_spread_pct"); f != nil {
		min = *f
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.Spreads(c.Request.Context(), tcg, min, int(limit))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{"items": out, "min_spread_pct": min})
}

func (s *Server) marketStats(c *gin.Context) {
	out, err := s.cfg.Pricing.Stats(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) predict(c *gin.Context) {
	p := newParams(c)
	id := s.cardID(p)
	days := p.intRange("query", "days_ahead", 30, 7, 365)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.Predict(c.Request.Context(), id, int(days))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) topPredictions(c *gin.Context) {
	p := newParams(c)
	limit := p.intRange("query", "limit", 10, 1, 50)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.TopPredictions(c.Request.Context(), int(limit))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, gin.H{"items": out})
}

func (s *Server) stashScore(c *gin.Context) {
	p := newParams(c)
	id := s.cardID(p)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.StashScore(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}
