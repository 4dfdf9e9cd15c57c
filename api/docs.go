package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/api/openapi"
	"github.com/collectorstash/csm/catalog"
)

// docsCSP lets the reference page use its own inline style and nothing else
// (it has no script and fetches nothing).
const docsCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// docsRoutes serves the OpenAPI 3.1 document assembled from
// api/openapi/*.yaml at /openapi.json, and the same rendered as a
// self-contained HTML reference at /docs.
func (s *Server) docsRoutes(r gin.IRouter) {
	r.GET("/openapi.json", func(c *gin.Context) {
		b, err := openapi.Spec()
		if err != nil {
			s.fail(c, &catalog.Error{Code: catalog.EINTERNAL, Message: "OpenAPI document unavailable", Err: err})
			return
		}
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "application/json", b)
	})
	r.GET("/docs", func(c *gin.Context) {
		b, err := openapi.HTML()
		if err != nil {
			s.fail(c, &catalog.Error{Code: catalog.EINTERNAL, Message: "API reference unavailable", Err: err})
			return
		}
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", docsCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "text/html; charset=utf-8", b)
	})
}
