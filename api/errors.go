package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// statusOf maps application error codes to HTTP status, once, here.
var statusOf = map[string]int{
	catalog.EINVALID:      http.StatusBadRequest,
	catalog.EVALIDATION:   http.StatusUnprocessableEntity,
	catalog.ENOTFOUND:     http.StatusNotFound,
	catalog.ECONFLICT:     http.StatusConflict,
	catalog.EGONE:         http.StatusGone,
	catalog.EUNAUTHORIZED: http.StatusUnauthorized,
	catalog.EFORBIDDEN:    http.StatusForbidden,
	catalog.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	catalog.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	catalog.ERATELIMIT:    http.StatusTooManyRequests,
	catalog.EUNAVAILABLE:  http.StatusServiceUnavailable,
	catalog.EINTERNAL:     http.StatusInternalServerError,
}

// fail writes err in the documented error shape: {"detail": "…"}, or for
// validation errors {"detail": [{"loc", "msg", "type"}, …]}.
func (s *Server) fail(c *gin.Context, err error) {
	code := catalog.ErrorCode(err)
	status := statusOf[code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	c.Header("Cache-Control", "no-store")
	var ae *catalog.Error
	if code == catalog.EVALIDATION && errors.As(err, &ae) && len(ae.Fields) > 0 {
		c.AbortWithStatusJSON(status, gin.H{"detail": ae.Fields})
		return
	}
	if status >= 500 {
		s.cfg.Log.ErrorContext(c.Request.Context(), "request failed", "path", c.FullPath(), "err", err)
	}
	c.AbortWithStatusJSON(status, gin.H{"detail": catalog.ErrorMessage(err)})
}

func itoa(n int) string { return strconv.Itoa(n) }
