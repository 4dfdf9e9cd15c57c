package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/internal/reqid"
)

// operationsRoutes registers what an operator uses: GET /metrics (the
// Prometheus registry, unless it is served on a listener of its own) and
// the asynq monitoring UI at /admin/queues for admins.
func (s *Server) operationsRoutes(r *gin.Engine) {
	if s.cfg.Metrics != nil && !s.cfg.MetricsElsewhere {
		h := gin.WrapH(s.cfg.Metrics.Handler())
		r.GET("/metrics", h)
	}
	if s.cfg.QueueUI != nil {
		ui := gin.WrapH(contentTyped(s.cfg.QueueUI))
		g := r.Group("/admin/queues", s.require(catalog.AccessAdmin), noStore)
		g.GET("", ui)
		// asynqmon reads with GET and acts (pause, retry, delete, archive)
		// with POST and DELETE
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			g.Handle(m, "/*path", ui)
		}
	}
}

// contentTyped sets Content-Type from the first bytes written when h did
// not set it (asynqmon leaves it to net/http's sniffing, which happens too
// late for the middleware that look at the response headers).
func contentTyped(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&sniffWriter{ResponseWriter: w}, r)
	})
}

// sniffWriter detects a missing Content-Type on the first write.
type sniffWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *sniffWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *sniffWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.wrote = true
		if w.Header().Get("Content-Type") == "" {
			ct := http.DetectContentType(b)
			if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
				ct = "application/json"
			}
			w.Header().Set("Content-Type", ct)
		}
	}
	return w.ResponseWriter.Write(b)
}

func noStore(c *gin.Context) { c.Header("Cache-Control", "no-store") }

// requestID gives every request an id: the client's X-Request-ID when it
// is a plausible one (1–128 of letters, digits, - _ . :), else a fresh one.
// It is echoed in the response header and carried by the request's
// context, so every log line of the request has request_id.
func (s *Server) requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(reqid.Header)
		if !reqid.Valid(id) {
			id = reqid.New()
		}
		c.Header(reqid.Header, id)
		c.Request = c.Request.WithContext(reqid.With(c.Request.Context(), id))
		c.Next()
	}
}

// observe records each request's latency by method, route template and
// status (Config.Metrics).
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.Metrics == nil {
			c.Next()
			return
		}
		start := time.Now()
		c.Next()
		s.cfg.Metrics.ObserveRequest(c.Request.Method, c.FullPath(), c.Writer.Status(), time.Since(start))
	}
}
