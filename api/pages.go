package api

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// Pages renders the server-side pages of the Scan PWA (package scanpwa);
// the api only decides who sees which page with which data.
type Pages interface {
	// Render writes page ("login", "scan-pwa", "scan", "review") with data.
	Render(w io.Writer, page string, data any) error
	// Assets holds the static files (JS, CSS, icons, manifest.json, sw.js).
	Assets() http.FileSystem
}

// PageData is what every page template gets.
type PageData struct {
	// Username is the signed-in user ("" when anonymous).
	Username string
	// Next is where /login goes after signing in.
	Next string
	// SessionID is the scan session of the review page or of a deeplink.
	SessionID string
	// Token is the reset-password page's token.
	Token string
	// PasswordReset shows the login page's forgot-password link.
	PasswordReset bool
	// Message is the verify-email page's error ("" when verified).
	Message string
}

// pageCSP keeps pages to their own scripts and styles (no inline code).
const pageCSP = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
	"script-src 'self'; style-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// pageRoutes mounts the pages: /login, /scan-pwa (the phone app and its
// manifest.json and service worker), /scan (the desktop page that starts
// a session; also /scan-sessions/new) and /scan-sessions/:id/review.
func (s *Server) pageRoutes(r *gin.Engine) {
	r.GET("/login", func(c *gin.Context) {
		s.page(c, "login", PageData{Next: safeNext(c.Query("next")), PasswordReset: s.cfg.AccountMail != nil})
	})
	r.GET("/signup", func(c *gin.Context) {
		s.page(c, "signup", PageData{Next: safeNext(c.Query("next"))})
	})
	r.GET("/scan-pwa", func(c *gin.Context) {
		// a deeplink is its own credential (checked by the API calls)
		if c.Query("session") != "" && c.Query("t") != "" {
			s.page(c, "scan-pwa", PageData{Username: principalOf(c).User.Username, SessionID: c.Query("session")})
			return
		}
		s.signedInPage(c, "scan-pwa", "/scan-pwa", PageData{})
	})
	desktop := func(c *gin.Context) { s.signedInPage(c, "scan", "/scan", PageData{}) }
	r.GET("/scan", desktop)
	r.GET("/scan-sessions/new", desktop)
	r.GET("/scan-sessions/:id/review", func(c *gin.Context) {
		id := c.Param("id")
		if !catalog.ValidScanSessionID(id) {
			s.fail(c, catalog.Errorf(catalog.ENOTFOUND, "Scan session not found"))
			return
		}
		s.signedInPage(c, "review", "/scan-sessions/"+id+"/review", PageData{SessionID: id})
	})
	assets := http.FileServer(s.cfg.Pages.Assets())
	serveAsset := func(name string) gin.HandlerFunc {
		return func(c *gin.Context) {
			if name == "/sw.js" {
				// the worker at /scan-pwa/sw.js controls /scan-pwa itself
				c.Header("Service-Worker-Allowed", "/scan-pwa")
				c.Header("Cache-Control", "no-cache")
			}
			req := c.Request.Clone(c.Request.Context())
			req.URL.Path = name
			assets.ServeHTTP(c.Writer, req)
		}
	}
	r.GET("/scan-pwa/manifest.json", serveAsset("/manifest.json"))
	r.GET("/scan-pwa/sw.js", serveAsset("/sw.js"))
	r.GET("/scan-pwa/assets/*path", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=300")
		serveAsset(c.Param("path"))(c)
	})
}

// signedInPage renders page for a signed-in caller; anyone else is sent to
// /login?next=<self>.
func (s *Server) signedInPage(c *gin.Context, page, self string, data PageData) {
	p := principalOf(c)
	if !p.Authenticated() {
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusFound, "/login?next="+url.QueryEscape(self))
		return
	}
	data.Username = p.User.Username
	s.page(c, page, data)
}

// page renders one page with the pages' security headers.
func (s *Server) page(c *gin.Context, page string, data PageData) {
	// deeplinks carry the claim token: no referrer
	s.htmlPage(c, s.cfg.Pages.Render, page, data, "Referrer-Policy", "no-referrer")
}

// htmlPage renders name with data through render and answers it 200 with
// the pages' security headers (pageCSP, nosniff, no-store) and the more
// given as name, value pairs; a page that fails to render is a 500.
func (s *Server) htmlPage(c *gin.Context, render func(w io.Writer, name string, data any) error, name string, data any, more ...string) {
	var b bytes.Buffer
	if err := render(&b, name, data); err != nil {
		s.fail(c, &catalog.Error{Code: catalog.EINTERNAL, Message: "Page could not be rendered", Err: err})
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", pageCSP)
	for i := 0; i+1 < len(more); i += 2 {
		h.Set(more[i], more[i+1])
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", b.Bytes())
}

// safeNext keeps a post-login redirect on this site: a local path only.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/scan-pwa"
	}
	return next
}
