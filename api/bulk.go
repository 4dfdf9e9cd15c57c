package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// bulkSubmit stores up to MaxBulkImages photos as one batch and queues them;
// the answer comes at once with the batch and scan ids.
func (s *Server) bulkSubmit(c *gin.Context) {
	form, err := s.readForm(c, MaxBulkImages)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.spendRecognition(c, len(form.images)); err != nil { // one scan of the quota per image
		s.fail(c, err)
		return
	}
	b, err := s.cfg.Scanning.SubmitBatch(c.Request.Context(), principalOf(c), form.images, form.tcgSlug, form.debug)
	if err != nil {
		s.fail(c, err)
		return
	}
	ids := make([]string, len(b.Scans))
	for i, sc := range b.Scans {
		ids[i] = sc.ID
	}
	c.JSON(http.StatusAccepted, gin.H{
		"batch_id": b.ID, "total": b.Total, "scan_ids": ids,
		"status_url": "/api/cards/recognize/bulk/" + b.ID,
		"events_url": "/api/cards/recognize/bulk/" + b.ID + "/events",
	})
}

// bulkStatus reports progress and the results so far, in submission order.
func (s *Server) bulkStatus(c *gin.Context) {
	v, err := s.cfg.Scanning.Batch(c.Request.Context(), principalOf(c), c.Param("batch_id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// bulkEvents streams a batch as server-sent events: "progress" whenever the
// count moves, "result" per scan strictly in submission order, and
// "completed" at the end (the service follows the batch's Redis events).
func (s *Server) bulkEvents(c *gin.Context) {
	started := false
	err := s.cfg.Scanning.FollowBatch(c.Request.Context(), principalOf(c), c.Param("batch_id"), func(event string, data any) bool {
		if !started {
			started = true
			c.Header("Cache-Control", "no-store")
			c.Header("X-Accel-Buffering", "no")
		}
		c.SSEvent(event, data)
		c.Writer.Flush()
		return c.Request.Context().Err() == nil
	})
	if err != nil && !started {
		s.fail(c, err)
	}
}
