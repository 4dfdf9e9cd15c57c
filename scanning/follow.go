package scanning

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/collectorstash/csm/catalog"
)

// SessionExpired is the stream event sent when a session ends while
// followed.
const SessionExpired = "expired"

// RawEmit writes one stream event with its JSON data; false when the client
// is gone.
type RawEmit func(event string, data []byte) bool

// FollowSession streams a session to its owner: claimed, photo, result and
// completed, each once. It subscribes before it reads the stored state,
// replays that state (so a desktop that connects late, or reconnects,
// misses nothing), then relays live events until completed, the session's
// end ("expired"), the client leaving or the service closing. ping is
// called every Resync while idle (a heartbeat), after the session's
// expiry was checked. An error before anything was emitted is returned for
// the caller to answer with.
func (s *Service) FollowSession(ctx context.Context, p catalog.Principal, id string, emit RawEmit, ping func() bool) error {
	sess, err := s.load(ctx, Caller{Principal: p}, id, byOwner, true)
	if err != nil {
		return err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var events <-chan catalog.ScanEvent
	if s.cfg.Events != nil {
		ch, stop, err := s.cfg.Events.Subscribe(ctx, sess.ID)
		if err != nil {
			return err
		}
		defer stop()
		events = ch
	}
	if sess, err = s.cfg.Store.ScanSession(ctx, sess.ID); err != nil {
		return err
	}
	sent := map[string]bool{}
	once := func(event string, index int, data []byte) bool {
		key := event
		if event == catalog.ScanEventPhoto || event == catalog.ScanEventResult {
			key += ":" + strconv.Itoa(index)
		}
		if sent[key] {
			return true
		}
		sent[key] = true
		return emit(event, data)
	}
	mustJSON := func(v any) []byte { b, _ := json.Marshal(v); return b }

	if sess.Status != catalog.ScanSessionPending {
		once(catalog.ScanEventClaimed, 0, mustJSON(map[string]string{"device_name": sess.DeviceName}))
	}
	for _, card := range s.signCards(sess.Cards) {
		if card.ImageURL != "" {
			once(catalog.ScanEventPhoto, card.Index, mustJSON(map[string]any{"card_index": card.Index, "image_url": card.ImageURL}))
		}
		if card.Status == catalog.ScanCardDone || card.Status == catalog.ScanCardFailed {
			once(catalog.ScanEventResult, card.Index, mustJSON(map[string]any{"card_index": card.Index, "status": card.Status, "recognition": card.Recognition}))
		}
	}
	if sess.Status == catalog.ScanSessionCompleted {
		once(catalog.ScanEventCompleted, 0, mustJSON(map[string]int{"count": len(sess.Cards)}))
		return nil
	}
	if !ping() {
		return nil
	}
	tick := s.ticker()
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			var d struct {
				Index int `json:"card_index"`
			}
			_ = json.Unmarshal(ev.Data, &d)
			if !once(ev.Event, d.Index, ev.Data) || ev.Event == catalog.ScanEventCompleted {
				return nil
			}
		case <-tick.C:
			cur, err := s.cfg.Store.ScanSession(ctx, sess.ID)
			if err != nil || cur.Expired(s.cfg.Now()) {
				once(SessionExpired, 0, []byte(`{}`))
				return nil
			}
			if !ping() {
				return nil
			}
		}
	}
}
