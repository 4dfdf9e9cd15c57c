package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	gincors "github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// DefaultOrigins is the documented CORS allow-list: the production domains
// and the localhost developer ports 3000, 5173 and 8000. Never "*".
var DefaultOrigins = []string{
	"https://collectorstashmarket.com",
	"https://www.collectorstashmarket.com",
	"https://developer.collectorstashmarket.com",
	"http://localhost:3000", "http://localhost:5173", "http://localhost:8000",
	"http://127.0.0.1:3000", "http://127.0.0.1:5173", "http://127.0.0.1:8000",
}

// ParseOrigins splits a CORS_EXTRA_ORIGINS value (comma separated), dropping
// blanks and any "*".
func ParseOrigins(v string) []string {
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o != "" && o != "*" {
			out = append(out, o)
		}
	}
	return out
}

func cors(extra []string) gin.HandlerFunc {
	cfg := gincors.Config{
		AllowOrigins:     append(append([]string{}, DefaultOrigins...), extra...),
		AllowMethods:     []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
		AllowHeaders:     []string{"Authorization", "Content-Type", "X-API-Key", "X-Scan-Token", "X-CSRF-Token"},
		ExposeHeaders:    []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"},
		AllowCredentials: true,
		MaxAge:           10 * time.Minute,
	}
	h := gincors.New(cfg)
	allowed := make(map[string]bool, len(cfg.AllowOrigins))
	for _, o := range cfg.AllowOrigins {
		allowed[o] = true
	}
	return func(c *gin.Context) {
		// a foreign origin is refused here, in the documented error shape
		// (gin-contrib/cors would answer 403 with an empty body)
		if o := c.GetHeader("Origin"); o != "" && !allowed[o] && o != "http://"+c.Request.Host && o != "https://"+c.Request.Host {
			c.Header("Cache-Control", "no-store")
			c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"detail": "Cross-origin request rejected: Origin not allowed"})
			return
		}
		h(c)
	}
}

// requestLog logs one line per request with slog. The query string is never
// logged: it may carry api_key or a scan token.
func (s *Server) requestLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		s.cfg.Log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", c.Writer.Status()),
			slog.Duration("took", time.Since(start)),
			slog.String("ip", c.ClientIP()))
	}
}

// recovery turns a panic into a 500 in the error shape and logs it.
func (s *Server) recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(os.Stderr, func(c *gin.Context, rec any) {
		s.fail(c, &catalog.Error{Code: catalog.EINTERNAL, Message: "Internal server error", Err: fmt.Errorf("panic: %v", rec)})
		c.AbortWithStatus(http.StatusInternalServerError)
	})
}
