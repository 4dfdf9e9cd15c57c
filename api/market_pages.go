package api

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/market"
)

// marketPageCSP allows the pages' one inline stylesheet and nothing else.
const marketPageCSP = "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'none'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// marketPageRoutes mounts the marketplace's server-rendered pages.
func (s *Server) marketPageRoutes(r *gin.Engine) {
	r.GET("/checkout/:id", s.checkoutPage)
	r.GET("/listings/:id", s.listingPage)
	r.GET("/listings/renew/:token", s.renewPage)
	r.GET("/verify", s.verifySearchPage)
	r.GET("/verify/help", s.verifyHelpPage)
	r.GET("/verify/:code", s.verifyPage)
}

var marketPages = template.Must(template.New("layout").Funcs(template.FuncMap{
	"eur": func(c market.Cents) string { return "€" + c.String() },
}).Parse(`{{define "layout"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Collector Stash Market</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d2330;background:#f6f7fb}
.card{background:#fff;border-radius:12px;padding:1.25rem 1.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem} table{border-collapse:collapse;width:100%} td{padding:.35rem 0;border-bottom:1px solid #eee}
td.r{text-align:right} .ok{color:#16794c} .bad{color:#b42318} .muted{color:#667} img{max-width:100%;border-radius:8px}
input{font-size:1.1rem;padding:.4rem;text-transform:uppercase} button{font-size:1.1rem;padding:.4rem .9rem}
.code{font-family:ui-monospace,monospace;font-size:1.3rem;letter-spacing:.15em}
</style></head><body><div class="card">{{template "body" .}}</div>
<p class="muted"><a href="/verify">Verify a card</a> · <a href="/verify/help">About confirmation codes</a></p></body></html>{{end}}`))

func pageTemplate(body string) *template.Template {
	return template.Must(template.Must(marketPages.Clone()).Parse(`{{define "body"}}` + body + `{{end}}`))
}

var (
	checkoutTmpl = pageTemplate(`<h1>Checkout #{{.T.ID}}</h1>
<p>{{.T.CardName}} — sold by <b>{{.T.SellerUsername}}</b> to <b>{{.T.BuyerUsername}}</b></p>
<table>
<tr><td>Price</td><td class="r">{{eur .T.Amount}}</td></tr>
<tr><td>Handling fee</td><td class="r">{{eur .T.HandlingFee}}</td></tr>
<tr><td><b>Total to pay</b></td><td class="r"><b>{{eur .T.BuyerTotal}}</b></td></tr>
{{if eq .T.Role "seller"}}<tr><td>Marketplace fee</td><td class="r">−{{eur .T.MarketplaceFee}}</td></tr>
<tr><td>Image protection fee</td><td class="r">−{{eur .T.ProtectionFee}}</td></tr>
<tr><td><b>Your payout</b></td><td class="r"><b>{{eur .T.SellerPayout}}</b></td></tr>{{end}}
</table>
<p>Status: <b id="status">{{.T.Status}}</b>{{if .T.TrackingNumber}} · {{.T.Carrier}} {{.T.TrackingNumber}}{{end}}</p>
{{if eq (print .T.Status) "awaiting_payment"}}<p class="muted">Pay the seller the total above; the seller marks the order paid when the money has arrived.</p>{{end}}`)

	listingTmpl = pageTemplate(`<h1>{{.L.CardName}}</h1>
<p class="muted">{{.L.SetName}} · {{.L.Condition}}{{if .L.Variant}} · {{.L.Variant}}{{end}}</p>
{{range .L.ImageURLs}}<p><img src="{{.}}" alt="listing photo"></p>{{end}}
<p><b>{{eur .L.Price}}</b> · {{.L.Quantity}} available · status <b>{{.L.Status}}</b></p>
<p>Seller: <b>{{.L.SellerUsername}}</b> · confirmation code <span class="code">{{.L.VerificationCode}}</span></p>
{{if .L.Description}}<p>{{.L.Description}}</p>{{end}}`)

	renewTmpl = pageTemplate(`{{if .OK}}<h1 class="ok">Listing renewed</h1>
<p>{{.L.CardName}} ({{eur .L.Price}}) now stays up until <b>{{.Expires}}</b>.</p>
<p><a href="/listings/{{.L.ID}}">View the listing</a></p>{{else}}<h1 class="bad">Not renewed</h1><p>{{.Msg}}</p>{{end}}`)

	verifySearchTmpl = pageTemplate(`<h1>Verify a card</h1>
<p>Enter the confirmation code printed on the listing photo (6–8 characters, no 0, O, 1 or I).</p>
<form method="get" action="/verify"><input name="code" maxlength="8" autocomplete="off" required autofocus> <button>Verify</button></form>
{{if .Msg}}<p class="bad">{{.Msg}}</p>{{end}}`)

	verifyTmpl = pageTemplate(`{{if .V.Valid}}<h1>Code <span class="code">{{.V.Code}}</span> is {{if eq .V.Status "active"}}<span class="ok">active</span>{{else}}<span class="bad">expired</span>{{end}}</h1>
{{if .V.ImageURL}}<p><img src="{{.V.ImageURL}}" alt="listing photo"></p>{{end}}
<table><tr><td>Card</td><td class="r">{{.V.CardName}}</td></tr><tr><td>Set</td><td class="r">{{.V.SetName}}</td></tr>
<tr><td>Condition</td><td class="r">{{.V.Condition}}</td></tr><tr><td>Seller</td><td class="r">{{.V.SellerUsername}}</td></tr>
<tr><td>Listed</td><td class="r">{{.V.CreatedAt}}</td></tr></table>
<p><a href="{{.V.ListingURL}}">View listing</a></p>{{else}}<h1 class="bad">Unknown code</h1>
<p>No listing carries the code <span class="code">{{.V.Code}}</span>. Check the characters (there is no 0, O, 1 or I) or ask the seller.</p>{{end}}`)

	verifyHelpTmpl = pageTemplate(`<h1>Watermarks and confirmation codes</h1>
<p>Every listing on Collector Stash Market gets a <b>confirmation code</b> of 6–8 characters (letters and digits without
0, O, 1 and I, so they cannot be confused). When the seller turns on <b>image protection</b>, the code is printed as a
visible watermark on the listing photos.</p>
<p><b>Where to find it:</b> on the bottom of the listing photo, next to "CSM", and on the listing page.</p>
<p><b>What verification tells you:</b> that the code is real, which card, condition and seller it belongs to, and
whether the protection is still <b>active</b> (the listing is up) or <b>expired</b> (the card was sold, the listing
was withdrawn or it ran out). A photo showing an unknown code was not taken for this marketplace.</p>
<p>Codes are case-insensitive. <a href="/verify">Verify a code</a> · API: <code>GET /api/verify/{code}</code></p>`)
)

// page renders a marketplace page with status.
func (s *Server) marketPage(c *gin.Context, status int, t *template.Template, title string, data map[string]any) {
	data["Title"] = title
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", marketPageCSP)
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// checkoutPage shows a transaction's amount, fees and status to its
// parties; anonymous callers go to /login first.
func (s *Server) checkoutPage(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, catalog.Errorf(catalog.ENOTFOUND, "Transaction not found"))
		return
	}
	p := principalOf(c)
	if !p.Authenticated() {
		c.Redirect(http.StatusFound, "/login?next="+url.QueryEscape("/checkout/"+strconv.FormatInt(id, 10)))
		return
	}
	t, err := s.cfg.Market.Transaction(c.Request.Context(), p.User.ID, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.marketPage(c, http.StatusOK, checkoutTmpl, "Checkout", map[string]any{"T": t})
}

func (s *Server) listingPage(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, catalog.Errorf(catalog.ENOTFOUND, market.MsgListingNotFound))
		return
	}
	l, err := s.cfg.Market.Listing(c.Request.Context(), principalOf(c).User.ID, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.marketPage(c, http.StatusOK, listingTmpl, l.CardName, map[string]any{"L": l})
}

// renewPage is the one-click link of the expiry reminder: the token is the
// credential; it renews on GET and works once.
func (s *Server) renewPage(c *gin.Context) {
	l, err := s.cfg.Market.RenewByToken(c.Request.Context(), c.Param("token"))
	if err != nil {
		status := statusOf[catalog.ErrorCode(err)]
		if status == 0 || status >= 500 {
			s.fail(c, err)
			return
		}
		s.marketPage(c, status, renewTmpl, "Listing renewal", map[string]any{"OK": false, "Msg": catalog.ErrorMessage(err)})
		return
	}
	s.marketPage(c, http.StatusOK, renewTmpl, "Listing renewed", map[string]any{"OK": true, "L": l,
		"Expires": l.ExpiresAt.UTC().Format("2 January 2006 15:04 UTC")})
}

// verifySearchPage is the search box; ?code= redirects (302) to
// /verify/{code}.
func (s *Server) verifySearchPage(c *gin.Context) {
	if raw, ok := c.GetQuery("code"); ok {
		code, valid := market.NormalizeCode(raw)
		if valid {
			c.Redirect(http.StatusFound, "/verify/"+code)
			return
		}
		s.marketPage(c, http.StatusOK, verifySearchTmpl, "Verify a card", map[string]any{
			"Msg": "A code is 6–8 letters and digits without 0, O, 1 or I."})
		return
	}
	s.marketPage(c, http.StatusOK, verifySearchTmpl, "Verify a card", map[string]any{})
}

func (s *Server) verifyHelpPage(c *gin.Context) {
	s.marketPage(c, http.StatusOK, verifyHelpTmpl, "Confirmation codes", map[string]any{})
}

func (s *Server) verifyPage(c *gin.Context) {
	v, err := s.cfg.Market.Verify(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if !v.Valid {
		status = http.StatusNotFound
	}
	s.marketPage(c, status, verifyTmpl, "Verify "+v.Code, map[string]any{"V": v})
}
