package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// live is the liveness check: the process answers.
func (s *Server) live(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// health is the readiness check: {"status": "ok", "db": true}, or 503
// {"status": "degraded", "db": false} when the database does not answer.
func (s *Server) health(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	c.Header("Cache-Control", "no-store")
	if s.cfg.Catalog == nil {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
		return
	}
	if err := s.cfg.Catalog.Ping(ctx); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "degraded", "db": false})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "db": true})
}
