package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/scanning"
)

// scanningRoutes registers recognition (/api/cards/recognize…, detect),
// scan sessions (with accounts) and private photos (/api/photos/*key).
func (s *Server) scanningRoutes(r *gin.Engine) {
	rec := r.Group("/api/cards", s.recognitionAccess())
	rec.POST("/recognize", s.recognitionQuota(0), s.recognize)
	rec.POST("/recognize/feedback", s.feedback)
	rec.POST("/recognize/bulk", s.recognitionQuota(0), s.bulkSubmit)
	rec.GET("/recognize/bulk/:batch_id", s.bulkStatus)
	rec.GET("/recognize/bulk/:batch_id/events", s.bulkEvents)
	rec.GET("/recognize/:scan_id", s.scanStatus)
	if s.cfg.Detect != nil {
		rec.POST("/detect", s.detect)
	}
	if s.cfg.Accounts != nil {
		s.scanSessionRoutes(r)
	}
	r.GET("/api/photos/*key", s.photo)
	r.HEAD("/api/photos/*key", s.photo)
}

// photo serves a private photo to its owner (cookie or API key) or to a
// signed URL (?exp=&sig=): 403 for a wrong or expired signature, 404 for
// anyone else. Never cached by shared caches.
func (s *Server) photo(c *gin.Context) {
	path, err := s.cfg.Scanning.Photo(c.Request.Context(), principalOf(c), scanning.PhotoRequest{
		Key: strings.TrimPrefix(c.Param("key"), "/"), Exp: c.Query("exp"), Sig: c.Query("sig")})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Content-Type-Options", "nosniff")
	http.ServeFile(c.Writer, c.Request, path)
}
