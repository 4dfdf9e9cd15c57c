package api

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/pricing"
)

// intelRoutes registers price intelligence.
func (s *Server) intelRoutes(r *gin.Engine) {
	r.GET("/api/cards/:card_id/price-intelligence", cache(300), s.intelligence)
	r.GET("/api/price-intelligence/sources", cache(300), s.intelSources)
	r.GET("/api/price-intelligence/convert", cache(300), s.convert)
}

func (s *Server) intelligence(c *gin.Context) {
	p := newParams(c)
	q := pricing.IntelQuery{CardID: s.cardID(p)}
	q.Foil = p.enum("foil_status", "nonfoil", pricing.FoilStatuses...)
	q.Condition = p.enum("condition", "NM", pricing.Conditions...)
	q.Language = strings.ToLower(p.str("language", 10))
	if q.Language == "" {
		q.Language = "en"
	}
	q.Printing = p.enum("printing", "unlimited", "unlimited", "1st_edition", "shadowless")
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.Intelligence(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) intelSources(c *gin.Context) {
	p := newParams(c)
	source := p.str("source", 50)
	foil := ""
	if _, present := c.GetQuery("foil_status"); present {
		foil = p.enum("foil_status", "", pricing.FoilStatuses...)
	}
	if _, present := c.GetQuery("condition"); present {
		p.enum("condition", "NM", pricing.Conditions...)
	}
	limit := p.intRange("query", "limit", 50, 1, 200)
	offset := p.intRange("query", "offset", 0, 0, 1_000_000)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Pricing.Sources(c.Request.Context(), source, foil, int(limit), int(offset))
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}

func (s *Server) convert(c *gin.Context) {
	p := newParams(c)
	from := p.str("from_currency", 3)
	to := p.str("to_currency", 3)
	amt := floatParam(p, "amount")
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	if from == "" {
		from = "USD"
	}
	if to == "" {
		to = "EUR"
	}
	a := 1.0
	if amt != nil {
		a = *amt
	}
	out, err := s.cfg.Pricing.Convert(c.Request.Context(), from, to, a)
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, out)
}
