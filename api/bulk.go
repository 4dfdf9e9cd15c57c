package api

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
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
	ctx := c.Request.Context()
	now := s.cfg.Now()
	b := catalog.Batch{ID: "b" + newScanID(now), UserID: principalOf(c).User.ID, Total: len(form.images)}
	ids := make([]string, len(form.images))
	for i, img := range form.images {
		sc := catalog.Scan{ID: newScanID(now), Index: i, UserID: principalOf(c).User.ID, TCGSlug: form.tcgSlug, Debug: form.debug}
		if sc.ImagePath, err = s.storeScanImage(sc.ID, img); err != nil {
			s.fail(c, err)
			return
		}
		b.Scans = append(b.Scans, sc)
		ids[i] = sc.ID
	}
	if err := s.cfg.Scans.CreateBatch(ctx, b); err != nil {
		s.fail(c, err)
		return
	}
	for _, id := range ids {
		if err := s.cfg.Queue.EnqueueScan(ctx, id); err != nil {
			s.fail(c, err)
			return
		}
	}
	c.JSON(http.StatusAccepted, gin.H{
		"batch_id": b.ID, "total": b.Total, "scan_ids": ids,
		"status_url": "/api/cards/recognize/bulk/" + b.ID,
		"events_url": "/api/cards/recognize/bulk/" + b.ID + "/events",
	})
}

// bulkItem is one scan of a batch in submission order.
type bulkItem struct {
	Index  int                 `json:"index"`
	ScanID string              `json:"scan_id"`
	Status string              `json:"status"`
	Result *catalog.ScanResult `json:"result,omitempty"`
	Detail string              `json:"detail,omitempty"`
}

func bulkView(b catalog.Batch) (items []bulkItem, done, failed int) {
	items = make([]bulkItem, len(b.Scans))
	for i, sc := range b.Scans {
		items[i] = bulkItem{Index: sc.Index, ScanID: sc.ID, Status: sc.Status, Result: sc.Result, Detail: sc.Error}
		if sc.Result != nil {
			sc.Result.ScanID = sc.ID
		}
		switch sc.Status {
		case "done":
			done++
		case "failed":
			failed++
		}
	}
	return items, done, failed
}

// bulkStatus reports progress and the results so far, in submission order.
func (s *Server) bulkStatus(c *gin.Context) {
	b, err := s.cfg.Scans.Batch(c.Request.Context(), c.Param("batch_id"))
	if err == nil {
		err = s.ownsScan(c, b.UserID)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	items, done, failed := bulkView(b)
	c.JSON(http.StatusOK, gin.H{"batch_id": b.ID, "total": b.Total, "done": done, "failed": failed,
		"pending": b.Total - done - failed, "results": items})
}

// bulkEvents streams a batch as server-sent events: "progress" whenever the
// count moves, "result" per scan strictly in submission order, and
// "completed" at the end. It honours client disconnects.
func (s *Server) bulkEvents(c *gin.Context) {
	ctx := c.Request.Context()
	b, err := s.cfg.Scans.Batch(ctx, c.Param("batch_id"))
	if err == nil {
		err = s.ownsScan(c, b.UserID)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("X-Accel-Buffering", "no")
	sent, lastDone := 0, -1
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	c.Stream(func(w io.Writer) bool {
		items, done, failed := bulkView(b)
		if done+failed != lastDone {
			lastDone = done + failed
			c.SSEvent("progress", gin.H{"done": done, "failed": failed, "total": b.Total})
		}
		for sent < len(items) && (items[sent].Status == "done" || items[sent].Status == "failed") {
			c.SSEvent("result", items[sent])
			sent++
		}
		if sent == len(items) {
			c.SSEvent("completed", gin.H{"batch_id": b.ID, "done": done, "failed": failed, "total": b.Total})
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
		nb, err := s.cfg.Scans.Batch(ctx, b.ID)
		if err != nil {
			c.SSEvent("error", gin.H{"detail": fmt.Sprint(catalog.ErrorMessage(err))})
			return false
		}
		b = nb
		return true
	})
}
