package scanning

import (
	"context"
	"fmt"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// SubmitBatch stores the photos as one batch (one transaction) and queues
// them in submission order.
func (s *Service) SubmitBatch(ctx context.Context, p catalog.Principal, images [][]byte, tcgSlug string, debug bool) (catalog.Batch, error) {
	now := s.cfg.Now()
	b := catalog.Batch{ID: "b" + NewScanID(now), UserID: p.User.ID, Total: len(images)}
	for i, img := range images {
		sc := catalog.Scan{ID: NewScanID(now), BatchID: b.ID, Index: i, UserID: p.User.ID, TCGSlug: tcgSlug, Debug: debug, Status: catalog.ScanQueued}
		ph, err := s.cfg.Photos.SaveScan(sc.ID, img)
		if err != nil {
			return b, fmt.Errorf("submit batch: %w", err)
		}
		sc.ImagePath = ph.Path
		b.Scans = append(b.Scans, sc)
	}
	if err := s.cfg.Store.CreateBatch(ctx, b); err != nil {
		return b, err
	}
	for _, sc := range b.Scans {
		if err := s.cfg.Queue.EnqueueScan(ctx, sc.ID); err != nil {
			return b, err
		}
	}
	return b, nil
}

// BatchItem is one scan of a batch in submission order.
type BatchItem struct {
	Index  int                 `json:"index"`
	ScanID string              `json:"scan_id"`
	Status catalog.ScanStatus  `json:"status"`
	Result *catalog.ScanResult `json:"result,omitempty"`
	Detail string              `json:"detail,omitempty"`
}

// BatchView is a batch's progress and results so far.
type BatchView struct {
	ID      string      `json:"batch_id"`
	Total   int         `json:"total"`
	Done    int         `json:"done"`
	Failed  int         `json:"failed"`
	Pending int         `json:"pending"`
	Results []BatchItem `json:"results"`
}

func (s *Service) batchView(b catalog.Batch) BatchView {
	v := BatchView{ID: b.ID, Total: b.Total, Results: make([]BatchItem, len(b.Scans))}
	for i, sc := range b.Scans {
		sc = s.signScan(sc)
		v.Results[i] = BatchItem{Index: sc.Index, ScanID: sc.ID, Status: sc.Status, Result: sc.Result, Detail: sc.Error}
		switch sc.Status {
		case catalog.ScanDone:
			v.Done++
		case catalog.ScanFailed:
			v.Failed++
		}
	}
	v.Pending = v.Total - v.Done - v.Failed
	return v
}

// Batch returns a batch's progress to its owner.
func (s *Service) Batch(ctx context.Context, p catalog.Principal, id string) (BatchView, error) {
	b, err := s.cfg.Store.Batch(ctx, id)
	if err == nil {
		err = owns(p, b.UserID, "batch")
	}
	if err != nil {
		return BatchView{}, err
	}
	return s.batchView(b), nil
}

// Bulk stream events.
const (
	BulkProgress  = "progress"
	BulkResult    = "result"
	BulkCompleted = "completed"
	BulkError     = "error"
)

// Emit writes one stream event; false when the client is gone.
type Emit func(event string, data any) bool

// FollowBatch streams a batch to its owner: "progress" whenever the count
// moves, "result" per scan strictly in submission order, "completed" at
// the end. It subscribes to the batch's events before it reads the batch,
// re-reads it on each event (and every Resync in case one was lost), and
// returns when the batch is complete, the client leaves or the service
// closes. An error before anything was emitted (404, 403) is returned for
// the caller to answer with.
func (s *Service) FollowBatch(ctx context.Context, p catalog.Principal, id string, emit Emit) error {
	b, err := s.cfg.Store.Batch(ctx, id)
	if err == nil {
		err = owns(p, b.UserID, "batch")
	}
	if err != nil {
		return err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var events <-chan catalog.ScanEvent
	if s.cfg.BatchEvents != nil {
		ch, stop, err := s.cfg.BatchEvents.Subscribe(ctx, id)
		if err != nil {
			return err
		}
		defer stop()
		events = ch
		if b, err = s.cfg.Store.Batch(ctx, id); err != nil { // after subscribing: nothing is missed
			return err
		}
	}
	resync := time.NewTicker(s.cfg.Resync)
	defer resync.Stop()
	sent, lastDone := 0, -1
	for {
		v := s.batchView(b)
		if v.Done+v.Failed != lastDone {
			lastDone = v.Done + v.Failed
			if !emit(BulkProgress, map[string]int{"done": v.Done, "failed": v.Failed, "total": v.Total}) {
				return nil
			}
		}
		for sent < len(v.Results) && v.Results[sent].Status.Finished() {
			if !emit(BulkResult, v.Results[sent]) {
				return nil
			}
			sent++
		}
		if sent == len(v.Results) {
			emit(BulkCompleted, map[string]any{"batch_id": v.ID, "done": v.Done, "failed": v.Failed, "total": v.Total})
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-events:
			if !ok {
				events = nil // the bus went away: the resync carries on
			}
		case <-resync.C:
		}
		nb, err := s.cfg.Store.Batch(ctx, id)
		if err != nil {
			if ctx.Err() == nil {
				emit(BulkError, map[string]string{"detail": catalog.ErrorMessage(err)})
			}
			return nil
		}
		b = nb
	}
}
