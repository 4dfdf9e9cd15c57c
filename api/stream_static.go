package api

import (
	_ "embed"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// realtimeJS is the browser helper of the real-time API
// (static/js/csm-realtime.js): auto-reconnect with exponential backoff and
// jitter, re-subscription after a reconnect, ping → pong.
//
//go:embed static/js/csm-realtime.js
var realtimeJS []byte

// realtimeJSPath is where the seed says the helper ships.
const realtimeJSPath = "/js/csm-realtime.js"

// staticRoutes serves /static: the embedded real-time helper, then
// StaticDir (card images, scans) when configured. One catch-all route, as
// the router allows no fixed path beside a wildcard of the same prefix.
func (s *Server) staticRoutes(r gin.IRouter) {
	var dir http.FileSystem
	var files http.Handler
	if s.cfg.StaticDir != "" {
		dir = gin.Dir(s.cfg.StaticDir, false)
		files = http.StripPrefix("/static", http.FileServer(dir))
	}
	h := func(c *gin.Context) {
		if c.Param("filepath") == realtimeJSPath {
			c.Header("Cache-Control", "public, max-age=3600")
			c.Data(http.StatusOK, "text/javascript; charset=utf-8", realtimeJS)
			return
		}
		if files == nil || privateStatic(c.Param("filepath")) {
			s.fail(c, catalog.Errorf(catalog.ENOTFOUND, "Not Found"))
			return
		}
		f, err := dir.Open(c.Param("filepath"))
		if err != nil {
			s.fail(c, catalog.Errorf(catalog.ENOTFOUND, "Not Found"))
			return
		}
		_ = f.Close()
		files.ServeHTTP(c.Writer, c.Request)
	}
	r.GET("/static/*filepath", h)
	r.HEAD("/static/*filepath", h)
}

// privateStatic reports whether a /static path is under a tree of private
// photos of earlier layouts (static/scans, static/confirmed_scans): never
// served publicly; photos are served by /api/photos.
func privateStatic(p string) bool {
	p = "/" + strings.TrimLeft(path.Clean("/"+p), "/")
	for _, dir := range []string{"/scans", "/confirmed_scans"} {
		if p == dir || strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}
