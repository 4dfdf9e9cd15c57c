package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// health checks the database; 503 "degraded" when it does not answer.
func (s *Server) health(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	c.Header("Cache-Control", "no-store")
	if s.cfg.Catalog == nil {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
		return
	}
	if err := s.cfg.Catalog.Ping(ctx); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"detail": "degraded", "status": "degraded", "db": "unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "db": "ok"})
}
