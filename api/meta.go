package api

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/meta"
)

//go:embed metaweb
var metaFS embed.FS

var metaTemplates = template.Must(template.ParseFS(metaFS, "metaweb/*.html"))

// statsLanguages are the localised stats pages /stats redirects to.
var statsLanguages = []string{"en", "nl"}

// metaRoutes mounts health with counters, stats, the status page, the app
// version manifest and push devices (the seed's "Health & stats", "Status
// page" and "App meta & devices").
func (s *Server) metaRoutes(r *gin.Engine) {
	r.GET("/api/health", s.apiHealth)
	r.GET("/api/stats", cache(300), s.platformStats)
	r.GET("/api/public/stats", cache(300), s.platformStats)
	r.GET("/api/stats/detailed", cache(300), s.detailedStats)
	r.GET("/stats", s.statsRedirect)
	for _, lang := range statsLanguages {
		r.GET("/"+lang+"/stats", s.statsPage(lang))
	}
	r.GET("/api/status", s.statusJSON)
	r.GET("/status", s.statusPage)

	r.GET("/api/app/version", s.appManifest)
	r.PUT("/api/admin/app/version/:platform", s.require(catalog.AccessAdmin), s.setAppVersion)

	d := r.Group("/api/devices", s.require(catalog.AccessAuth))
	d.GET("", itemsCall(s, userID, s.cfg.Meta.Devices))
	d.POST("", bodyUpsert(s, userID, s.cfg.Meta.RegisterDevice))
	d.DELETE("", s.unregisterDevice)
	d.POST("/unregister", s.unregisterDevice)
}

// apiHealth is GET /api/health: the seed's counters, 503 degraded when the
// database does not answer.
func (s *Server) apiHealth(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	h, err := s.cfg.Meta.Health(c.Request.Context())
	if err != nil {
		s.cfg.Log.WarnContext(c.Request.Context(), "health degraded", "err", err)
		c.JSON(http.StatusServiceUnavailable, h)
		return
	}
	c.JSON(http.StatusOK, h)
}

func (s *Server) platformStats(c *gin.Context) {
	st, err := s.cfg.Meta.Stats(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, st)
}

func (s *Server) detailedStats(c *gin.Context) {
	st, err := s.cfg.Meta.DetailedStats(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	ok(c, st)
}

// statsRedirect sends /stats to the localised stats page (302), Dutch for
// browsers that prefer it, English otherwise.
func (s *Server) statsRedirect(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, "/"+preferredLang(c)+"/stats")
}

func (s *Server) statsPage(lang string) gin.HandlerFunc {
	return func(c *gin.Context) {
		st, err := s.cfg.Meta.DetailedStats(c.Request.Context())
		if err != nil {
			s.fail(c, err)
			return
		}
		s.metaPage(c, "stats", gin.H{"Lang": lang, "Stats": st})
	}
}

func (s *Server) statusJSON(c *gin.Context) {
	cs, err := s.cfg.Meta.Status(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": cs})
}

func (s *Server) statusPage(c *gin.Context) {
	cs, err := s.cfg.Meta.Status(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	overall := "All systems operational"
	for _, ch := range cs {
		if ch.Status != meta.Operational {
			overall = "Some systems are not operational"
			break
		}
	}
	s.metaPage(c, "status", gin.H{"Checks": cs, "Overall": overall})
}

// metaPage renders a status or stats page.
func (s *Server) metaPage(c *gin.Context, name string, data any) {
	s.htmlPage(c, metaTemplates.ExecuteTemplate, name, data)
}

func (s *Server) appManifest(c *gin.Context) {
	p := newParams(c)
	platform := p.enum("platform", "", string(meta.Android), string(meta.IOS))
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	m, err := s.cfg.Meta.Manifest(c.Request.Context(), platform)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, m)
}

func (s *Server) setAppVersion(c *gin.Context) {
	var in struct {
		VersionName  string `json:"version_name"`
		VersionCode  int    `json:"version_code"`
		MinSupported string `json:"min_supported"`
		ReleaseNotes string `json:"release_notes"`
	}
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.cfg.Meta.SetAppVersion(c.Request.Context(), principalOf(c).User.IsAdmin, meta.AppVersion{
		Platform: meta.Platform(c.Param("platform")), VersionName: in.VersionName, VersionCode: in.VersionCode,
		MinSupported: in.MinSupported, ReleaseNotes: in.ReleaseNotes})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{string(v.Platform): v})
}

func (s *Server) unregisterDevice(c *gin.Context) {
	var in struct {
		Token string `json:"token"`
	}
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Meta.RemoveDevice(c.Request.Context(), principalOf(c).User.ID, in.Token); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}
