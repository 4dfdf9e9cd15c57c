package api

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/collection"
)

// collectionPage renders the signed-in user's collection: the value, a
// chart of its last 90 days, the value per game and the entries by value.
func (s *Server) collectionPage(c *gin.Context) {
	p := newParams(c)
	cur := currencyParam(p, collection.DefaultValueCurrency)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	page, err := s.cfg.Collection.CollectionPage(c.Request.Context(), principalOf(c).User.ID, cur)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	if err := collectionTmpl.Execute(c.Writer, collectionView{Page: page, Chart: chartSVG(page.History)}); err != nil {
		s.cfg.Log.ErrorContext(c.Request.Context(), "collection page", "err", err)
	}
}

type collectionView struct {
	collection.Page
	Chart template.HTML
}

// chartSVG draws the value history as an inline SVG line chart (no
// script, so it renders everywhere, CSP included).
func chartSVG(h collection.History) template.HTML {
	const w, ht, pad = 720.0, 220.0, 36.0
	pts := h.Points
	if len(pts) == 0 {
		return ""
	}
	lo, hi := pts[0].Value, pts[0].Value
	for _, p := range pts {
		lo, hi = min(lo, p.Value), max(hi, p.Value)
	}
	if hi == lo {
		hi, lo = hi+1, max(0, lo-1)
	}
	x := func(i int) float64 {
		if len(pts) == 1 {
			return pad
		}
		return pad + float64(i)*(w-2*pad)/float64(len(pts)-1)
	}
	y := func(v float64) float64 { return ht - pad - (v-lo)*(ht-2*pad)/(hi-lo) }
	var line strings.Builder
	for i, p := range pts {
		fmt.Fprintf(&line, "%.1f,%.1f ", x(i), y(p.Value))
	}
	first, last := pts[0], pts[len(pts)-1]
	svg := fmt.Sprintf(`<svg viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="Collection value over %d days" xmlns="http://www.w3.org/2000/svg">`+
		`<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#ccc"/>`+
		`<polyline fill="none" stroke="#2563eb" stroke-width="2" points="%s"/>`+
		`<text x="%.0f" y="%.0f" font-size="12" fill="#666">%s</text><text x="%.0f" y="%.0f" font-size="12" fill="#666" text-anchor="end">%s</text>`+
		`<text x="4" y="%.0f" font-size="12" fill="#666">%.2f</text><text x="4" y="%.0f" font-size="12" fill="#666">%.2f</text></svg>`,
		w, ht, h.Days, pad, ht-pad, w-pad, ht-pad, strings.TrimSpace(line.String()),
		pad, ht-8, template.HTMLEscapeString(first.Date), w-pad, ht-8, template.HTMLEscapeString(last.Date),
		y(hi)+4, hi, y(lo)+4, lo)
	return template.HTML(svg) // only numbers and escaped dates
}

var collectionTmpl = template.Must(template.New("collection").Funcs(template.FuncMap{
	"money": func(v *float64) string {
		if v == nil {
			return "–"
		}
		return fmt.Sprintf("%.2f", *v)
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>My collection · Collector Stash Market</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem;color:#222}
.big{font-size:2rem;font-weight:600}.up{color:#15803d}.down{color:#b91c1c}.muted{color:#666}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .5rem;text-align:left;border-bottom:1px solid #eee}
td.n,th.n{text-align:right}img.thumb{height:48px}
</style></head><body>
<h1>My collection</h1>
{{with .Portfolio}}
<p class="big">{{printf "%.2f" .TotalValue}} {{.Currency}}</p>
<p><span class="{{if lt .Change24h 0.0}}down{{else}}up{{end}}">{{printf "%+.2f" .Change24h}} ({{printf "%+.1f" .Change24hPct}}%) 24 h</span> ·
<span class="{{if lt .Change7d 0.0}}down{{else}}up{{end}}">{{printf "%+.2f" .Change7d}} ({{printf "%+.1f" .Change7dPct}}%) 7 days</span> ·
<span class="muted">{{.CardCount}} cards</span></p>
{{end}}
<figure>{{.Chart}}<figcaption class="muted">Value over the last {{.History.Days}} days ({{.History.Currency}})</figcaption></figure>
<h2>By game</h2>
<table><tr><th>TCG</th><th class="n">Value</th></tr>{{range $k, $v := .Portfolio.ByTCG}}<tr><td>{{$k}}</td><td class="n">{{printf "%.2f" $v}}</td></tr>{{end}}</table>
<h2>Cards <span class="muted">({{.Total}} entries, most valuable first)</span></h2>
<table><tr><th></th><th>Card</th><th>Set</th><th class="n">Qty</th><th>Cond.</th><th>Variant</th><th class="n">Paid</th><th class="n">Value</th></tr>
{{range .Entries}}<tr><td>{{with .ImageURL}}<img class="thumb" src="{{.}}" alt="">{{end}}</td><td>{{.CardName}}</td><td>{{.SetName}}</td><td class="n">{{.Quantity}}</td><td>{{.Condition}}</td><td>{{with .Variant}}{{.}}{{end}}</td><td class="n">{{money .PricePaid}}</td><td class="n">{{money .CurrentValue}}</td></tr>
{{else}}<tr><td colspan="8" class="muted">Nothing yet: add cards with POST /collection/add, a CSV import or a scan.</td></tr>{{end}}
</table>
<p class="muted"><a href="/collection/export">Export CSV</a></p>
</body></html>
`))
