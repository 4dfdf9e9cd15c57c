package api

import (
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// scanSessionEvents streams a session to its owner as server-sent events:
// claimed, photo, result and completed, each once, after a replay of the
// stored state; "expired" when the session ends while followed.
func (s *Server) scanSessionEvents(c *gin.Context) {
	started := false
	start := func() {
		if started {
			return
		}
		started = true
		h := c.Writer.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		c.Status(http.StatusOK)
	}
	emit := func(event string, data []byte) bool {
		start()
		if sseEvent(c.Writer, event, data) != nil {
			return false
		}
		c.Writer.Flush()
		return true
	}
	ping := func() bool {
		start()
		if _, err := c.Writer.WriteString(": ping\n\n"); err != nil {
			return false
		}
		c.Writer.Flush()
		return true
	}
	err := s.cfg.Scanning.FollowSession(c.Request.Context(), principalOf(c), c.Param("id"), emit, ping)
	if err != nil && !started {
		s.fail(c, err)
	}
}

// sseEvent writes one server-sent event.
func sseEvent(w io.Writer, event string, data []byte) error {
	_, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
	return err
}
