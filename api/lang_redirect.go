package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// pageLanguages are the localised variants (/en/…, /nl/…) of HTML-style
// paths.
var pageLanguages = []string{"en", "nl"}

// preferredLang is "nl" for browsers that prefer Dutch, "en" otherwise.
func preferredLang(c *gin.Context) string {
	if al := strings.ToLower(c.GetHeader("Accept-Language")); strings.HasPrefix(al, "nl") {
		return "nl"
	}
	return "en"
}

// langRedirect sends a browser asking for an HTML-style path without a
// language prefix (/tcgs/pokemon, /pokemon/sets) to its localised variant
// with a 302 (?format=json opts out); other clients get the resource itself. Paths rooted at /api/,
// /tcgs, /decks, /users/, /health, /stats, /auth/, /seller/ and /dl/ never
// use it.
func (s *Server) langRedirect(c *gin.Context) {
	c.Header("Vary", "Accept, Accept-Language")
	if !wantsHTML(c) {
		return
	}
	to := "/" + preferredLang(c) + c.Request.URL.Path
	if q := c.Request.URL.RawQuery; q != "" {
		to += "?" + q
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, to)
	c.Abort()
}
