package api

import (
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
)

// profileRoutes mounts the seed's "Profile & privacy" and the public
// profile /users/{username} (JSON, or an HTML page for browsers).
func (s *Server) profileRoutes(r *gin.Engine) {
	me := r.Group("/me", s.require(catalog.AccessAuth))
	me.POST("/privacy", s.setPrivacy)
	me.POST("/avatar", s.uploadAvatar)
	r.GET("/users/:username", s.publicProfile)
}

// setPrivacy is POST /me/privacy {is_collection_public}:
// {"ok": true, "is_collection_public"}.
func (s *Server) setPrivacy(c *gin.Context) {
	var b struct {
		IsCollectionPublic *bool `json:"is_collection_public"`
	}
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	if b.IsCollectionPublic == nil {
		s.fail(c, &catalog.Error{Code: catalog.EVALIDATION, Message: "is_collection_public: field required",
			Fields: []catalog.FieldError{{Loc: []string{"body", "is_collection_public"}, Msg: "field required", Type: "value_error.missing"}}})
		return
	}
	if err := s.cfg.Collection.SetPrivacy(c.Request.Context(), principalOf(c).User.ID, *b.IsCollectionPublic); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "is_collection_public": *b.IsCollectionPublic})
}

// uploadAvatar is POST /me/avatar (multipart "file": JPEG, PNG or WebP,
// ≤ 5 MB): {"ok": true, "avatar_url"}, stored as a 256×256 WebP.
func (s *Server) uploadAvatar(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, collection.MaxAvatarBytes+64<<10)
	fh, err := c.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || (err == nil && fh.Size > collection.MaxAvatarBytes):
		s.fail(c, catalog.Errorf(catalog.ETOOLARGE, "Avatar larger than 5 MB"))
		return
	case err != nil:
		s.fail(c, &catalog.Error{Code: catalog.EVALIDATION, Message: "file: field required",
			Fields: []catalog.FieldError{{Loc: []string{"body", "file"}, Msg: "field required (multipart/form-data)", Type: "value_error.missing"}}})
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "Unreadable upload"))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, collection.MaxAvatarBytes+1))
	if err != nil {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "Unreadable upload"))
		return
	}
	url, err := s.cfg.Collection.SetAvatar(c.Request.Context(), principalOf(c).User.ID, data)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "avatar_url": url})
}

// wantsHTML reports a browser asking for a page (?format=html, or Accept
// listing text/html before any JSON).
func wantsHTML(c *gin.Context) bool {
	switch c.Query("format") {
	case "html":
		return true
	case "json":
		return false
	}
	acc := c.GetHeader("Accept")
	h := strings.Index(acc, "text/html")
	j := strings.Index(acc, "application/json")
	return h >= 0 && (j < 0 || h < j)
}

// publicProfile is GET /users/{username}: member-since and seller
// listings; the collection grid, top cards, portfolio value and TCG
// breakdown only when the owner made the collection public.
func (s *Server) publicProfile(c *gin.Context) {
	p, err := s.cfg.Collection.PublicProfile(c.Request.Context(), principalOf(c).User.ID, c.Param("username"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	if !wantsHTML(c) {
		c.JSON(http.StatusOK, p)
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	if err := profilePage.Execute(c.Writer, p); err != nil {
		s.cfg.Log.ErrorContext(c.Request.Context(), "profile page", "err", err)
	}
}

var profilePage = template.Must(template.New("profile").Funcs(template.FuncMap{
	"money": func(v *float64) string {
		if v == nil {
			return "–"
		}
		return strconv.FormatFloat(*v, 'f', 2, 64)
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Username}} · Collector Stash Market</title>
<style>
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem;color:#222}
header{display:flex;gap:1rem;align-items:center}header img{border-radius:50%;width:96px;height:96px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:.75rem;padding:0;list-style:none}
.grid li{border:1px solid #ddd;border-radius:8px;padding:.5rem;font-size:.9rem}.grid img{width:100%}
.muted{color:#666}table{border-collapse:collapse}td,th{padding:.25rem .75rem;text-align:left}
</style></head><body>
<header>{{with .AvatarURL}}<img src="{{.}}" alt="">{{end}}
<div><h1>{{with .DisplayName}}{{.}}{{else}}{{.Username}}{{end}}</h1>
<p class="muted">@{{.Username}} · member since {{.MemberSince.Format "January 2006"}}{{if .IsSeller}} · seller{{end}}</p></div></header>
{{with .Collection}}
<section><h2>Collection</h2>
<p><strong>{{printf "%.2f" .TotalValue}} {{.Currency}}</strong> · {{.CardCount}} cards in {{.Total}} entries</p>
<table><tr><th>TCG</th><th>Value ({{.Currency}})</th></tr>{{range $k, $v := .ByTCG}}<tr><td>{{$k}}</td><td>{{printf "%.2f" $v}}</td></tr>{{end}}</table>
<h3>Top cards</h3><ul class="grid">{{range .TopCards}}<li>{{with .ImageURL}}<img src="{{.}}" alt="">{{end}}{{.CardName}}<br><span class="muted">{{.SetName}} · {{money .CurrentValue}}</span></li>{{end}}</ul>
<h3>Recently added</h3><ul class="grid">{{range .Recent}}<li>{{with .ImageURL}}<img src="{{.}}" alt="">{{end}}{{.CardName}} ×{{.Quantity}}<br><span class="muted">{{.SetName}}</span></li>{{end}}</ul>
</section>
{{else}}<p class="muted">This collection is private.</p>{{end}}
<section><h2>Listings</h2>{{if .Listings}}<ul>{{range .Listings}}<li><a href="{{.URL}}">{{.CardName}}</a> · {{printf "%.2f" .Price}} {{.Currency}}</li>{{end}}</ul>{{else}}<p class="muted">No active listings.</p>{{end}}</section>
</body></html>
`))
