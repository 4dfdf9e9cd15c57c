package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/pricing"
)

//go:embed pricingpages/*.html
var pricingPageFS embed.FS

var pricingPages = template.Must(template.New("").Funcs(template.FuncMap{"money": func(f float64) string { return fmt.Sprintf("%.2f", f) }}).
	ParseFS(pricingPageFS, "pricingpages/*.html"))

// pricingPageCSP: the pages are plain HTML with inline SVG; no script.
const pricingPageCSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"

// pricingPageRoutes mounts the public HTML pages: a card with its price
// history drawn per source and region, and the market movers.
func (s *Server) pricingPageRoutes(r *gin.Engine) {
	r.GET("/cards/:card_id", s.cardPage)
	r.GET("/market/movers", s.moversPage)
}

// svgChart is one drawn line chart.
type svgChart struct {
	Label, Currency string
	Points          int
	Path            string
	Min, Max        float64
	First, Last     string
}

const chartW, chartH = 600.0, 160.0

func drawChart(cs pricing.ChartSeries) svgChart {
	c := svgChart{Label: cs.Label, Currency: cs.Currency, Points: len(cs.Points)}
	if len(cs.Points) == 0 {
		return c
	}
	c.Min, c.Max = cs.Points[0].Price, cs.Points[0].Price
	for _, p := range cs.Points {
		c.Min, c.Max = min(c.Min, p.Price), max(c.Max, p.Price)
	}
	span := c.Max - c.Min
	if span == 0 {
		span = 1
	}
	var b strings.Builder
	for i, p := range cs.Points {
		x := float64(i) / float64(max(1, len(cs.Points)-1)) * chartW
		y := chartH - (p.Price-c.Min)/span*(chartH-10) - 5
		fmt.Fprintf(&b, "%.1f,%.1f ", x, y)
	}
	c.Path = strings.TrimSpace(b.String())
	c.First, c.Last = cs.Points[0].Date, cs.Points[len(cs.Points)-1].Date
	return c
}

func (s *Server) renderPage(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pricingPages.ExecuteTemplate(&buf, name, data); err != nil {
		s.fail(c, fmt.Errorf("render %s: %w", name, err))
		return
	}
	c.Header("Content-Security-Policy", pricingPageCSP)
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (s *Server) cardPage(c *gin.Context) {
	p := newParams(c)
	id := s.cardID(p)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.cfg.Pricing.CardPage(c.Request.Context(), id)
	if err != nil {
		if catalog.ErrorCode(err) == catalog.ENOTFOUND {
			s.renderPage(c, http.StatusNotFound, "notfound.html", nil)
			return
		}
		s.fail(c, err)
		return
	}
	charts := make([]svgChart, len(page.Lines))
	for i, l := range page.Lines {
		charts[i] = drawChart(l)
	}
	s.renderPage(c, http.StatusOK, "card.html", gin.H{"Card": page.Info, "Charts": charts, "Prices": page.Prices, "W": chartW, "H": chartH})
}

func (s *Server) moversPage(c *gin.Context) {
	p := newParams(c)
	q := pricing.MoversQuery{TCG: "all", Limit: 20}
	if t := tcgParam(p, "tcg"); t != "" {
		q.TCG = t
	}
	q.Period = p.enum("period", "7d", pricing.Periods...)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	m, err := s.cfg.Pricing.Movers(c.Request.Context(), q)
	if err != nil && catalog.ErrorCode(err) != catalog.EUNAVAILABLE {
		s.fail(c, err)
		return
	}
	s.renderPage(c, http.StatusOK, "movers.html", gin.H{"M": m, "Warm": err == nil, "Periods": pricing.Periods, "Period": q.Period, "TCG": q.TCG})
}
