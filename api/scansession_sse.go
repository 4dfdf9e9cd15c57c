package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// sseHeartbeat is how often an idle stream sends a comment (and re-checks
// the session's expiry).
const sseHeartbeat = 15 * time.Second

// scanSessionEvents streams a session to its owner as server-sent events:
// claimed, photo, result and completed, each once. It subscribes before it
// reads the stored state, replays that state (so a desktop that connects
// late, or reconnects, misses nothing), then relays live events until
// completed, the session's end ("expired" event) or the client leaves.
func (s *Server) scanSessionEvents(c *gin.Context) {
	sess, err := s.loadScanSession(c, byOwner, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	events, cancel, err := s.cfg.ScanEvents.Subscribe(ctx, sess.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer cancel()
	if sess, err = s.cfg.ScanSessions.ScanSession(ctx, sess.ID); err != nil {
		s.fail(c, err)
		return
	}
	s.resolvePendingCards(ctx, &sess)
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	sent := map[string]bool{}
	emit := func(event string, index int, data []byte) bool {
		key := event
		if event == catalog.ScanEventPhoto || event == catalog.ScanEventResult {
			key += ":" + strconv.Itoa(index)
		}
		if sent[key] {
			return true
		}
		sent[key] = true
		if sseEvent(c.Writer, event, data) != nil {
			return false
		}
		c.Writer.Flush()
		return true
	}
	mustJSON := func(v any) []byte { b, _ := json.Marshal(v); return b }

	if sess.Status != catalog.ScanSessionPending {
		emit(catalog.ScanEventClaimed, 0, mustJSON(gin.H{"device_name": sess.DeviceName}))
	}
	for _, card := range sess.Cards {
		if card.ImageURL != "" {
			emit(catalog.ScanEventPhoto, card.Index, mustJSON(gin.H{"card_index": card.Index, "image_url": card.ImageURL}))
		}
		if card.Status == catalog.ScanCardDone || card.Status == catalog.ScanCardFailed {
			emit(catalog.ScanEventResult, card.Index, mustJSON(gin.H{"card_index": card.Index, "status": card.Status, "recognition": card.Recognition}))
		}
	}
	if sess.Status == catalog.ScanSessionCompleted {
		emit(catalog.ScanEventCompleted, 0, mustJSON(gin.H{"count": len(sess.Cards)}))
		return
	}
	c.Writer.Flush()

	tick := time.NewTicker(sseHeartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			var d struct {
				Index int `json:"card_index"`
			}
			_ = json.Unmarshal(ev.Data, &d)
			if !emit(ev.Event, d.Index, ev.Data) || ev.Event == catalog.ScanEventCompleted {
				return
			}
		case <-tick.C:
			cur, err := s.cfg.ScanSessions.ScanSession(ctx, sess.ID)
			if err != nil || cur.Expired(s.cfg.Now()) {
				emit("expired", 0, []byte(`{}`))
				return
			}
			if _, err := c.Writer.WriteString(": ping\n\n"); err != nil {
				return
			}
			c.Writer.Flush()
		}
	}
}
