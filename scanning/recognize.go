package scanning

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Upload is one recognition request's photo and options.
type Upload struct {
	Image   []byte
	TCGSlug string
	Debug   bool
}

// NewScanID returns an id in the documented timestamp style, made unique.
func NewScanID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102_150405") + "_" + hex.EncodeToString(b)
}

// Recognize stores the photo, queues it and waits (bounded by Wait, the
// request and the service's life) for the worker; it returns the scan as
// it then stands: done, failed, or still queued/running.
func (s *Service) Recognize(ctx context.Context, p catalog.Principal, up Upload) (catalog.Scan, error) {
	sc := catalog.Scan{ID: NewScanID(s.cfg.Now()), UserID: p.User.ID, TCGSlug: up.TCGSlug, Debug: up.Debug, Status: catalog.ScanQueued}
	ph, err := s.cfg.Photos.SaveScan(sc.ID, up.Image)
	if err != nil {
		return sc, fmt.Errorf("recognize: %w", err)
	}
	sc.ImagePath = ph.Path
	if err := s.cfg.Store.CreateScan(ctx, sc); err != nil {
		return sc, err
	}
	if err := s.cfg.Queue.EnqueueScan(ctx, sc.ID); err != nil {
		return sc, err
	}
	return s.waitScan(ctx, sc.ID, s.cfg.Wait)
}

// waitScan re-reads the scan, woken by the queue's notifications, until it
// finishes or the wait ends; it returns the scan as it then stands.
func (s *Service) waitScan(ctx context.Context, id string, wait time.Duration) (catalog.Scan, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ctx, cancelWait := context.WithTimeout(ctx, wait)
	defer cancelWait()
	for {
		sc, err := s.cfg.Store.Scan(context.WithoutCancel(ctx), id)
		if err != nil || sc.Status.Finished() {
			return s.signScan(sc), err
		}
		if err := s.cfg.Queue.WaitScan(ctx, id); err != nil {
			return s.signScan(sc), nil // timed out: reported as still queued
		}
	}
}

// signScan turns the debug image URLs of a result into signed ones.
func (s *Service) signScan(sc catalog.Scan) catalog.Scan {
	if sc.Result == nil {
		return sc
	}
	sc.Result.ScanID = sc.ID
	if len(sc.Result.Debug) > 0 && s.cfg.Photos != nil {
		now := s.cfg.Now()
		d := make(map[string]string, len(sc.Result.Debug))
		for k, v := range sc.Result.Debug {
			d[k] = s.cfg.Photos.SignedURL(v, now)
		}
		sc.Result.Debug = d
	}
	return sc
}

// Scan returns a scan to its owner (or an admin).
func (s *Service) Scan(ctx context.Context, p catalog.Principal, id string) (catalog.Scan, error) {
	sc, err := s.cfg.Store.Scan(ctx, id)
	if err != nil {
		return sc, err
	}
	if err := owns(p, sc.UserID, "scan"); err != nil {
		return catalog.Scan{}, err
	}
	return s.signScan(sc), nil
}

// BeginScan is the worker's start: it marks the scan running and returns
// it; fresh is false when an earlier attempt already finished it.
func (s *Service) BeginScan(ctx context.Context, id string) (sc catalog.Scan, fresh bool, err error) {
	fresh, err = s.cfg.Store.StartScan(ctx, id)
	if err != nil || !fresh {
		return sc, fresh, err
	}
	sc, err = s.cfg.Store.Scan(ctx, id)
	return sc, true, err
}

// FinishScan is where every scan ends (called by the worker): the result
// (or failure) and the recognition of the session cards waiting for it are
// stored in one transaction, then the session "result" events, the
// batch's "scan" event and the waiters' wake-up go out. A second finish
// of the same scan stores nothing and only wakes waiters again.
func (s *Service) FinishScan(ctx context.Context, id string, res *catalog.ScanResult, failure error) error {
	o := Outcome{ScanID: id}
	if failure != nil {
		o.Status, o.ErrorCode, o.Error = catalog.ScanFailed, catalog.ErrorCode(failure), catalog.ErrorMessage(failure)
	} else {
		o.Status, o.Result = catalog.ScanDone, res
	}
	o.Recognition = recognition(id, o)
	fin, err := s.cfg.Store.FinishScan(ctx, o)
	if err != nil {
		return fmt.Errorf("finish scan: %w", err)
	}
	if fin.Stored {
		for _, c := range fin.Cards {
			s.publish(ctx, s.cfg.Events, c.SessionID, catalog.ScanEventResult,
				map[string]any{"card_index": c.Index, "status": cardStatus(o.Status), "recognition": o.Recognition})
		}
		if fin.BatchID != "" {
			s.publish(ctx, s.cfg.BatchEvents, fin.BatchID, BatchEventScan, map[string]any{"scan_id": id, "status": o.Status})
		}
	}
	if err := s.cfg.Queue.NotifyScan(context.WithoutCancel(ctx), id); err != nil {
		return catalog.Unavailable(fmt.Errorf("finish scan: notify: %w", err))
	}
	return nil
}

// recognition is what a session card shows for a finished scan.
func recognition(id string, o Outcome) json.RawMessage {
	if o.Status == catalog.ScanDone && o.Result != nil {
		r := *o.Result
		r.ScanID = id
		b, _ := json.Marshal(r)
		return b
	}
	b, _ := json.Marshal(map[string]any{"scan_id": id, "error": map[string]string{"code": o.ErrorCode, "detail": o.Error}})
	return b
}

func cardStatus(st catalog.ScanStatus) string {
	if st == catalog.ScanDone {
		return catalog.ScanCardDone
	}
	return catalog.ScanCardFailed
}

// Confirmed is the answer to a feedback.
type Confirmed struct {
	ScanID   string `json:"scan_id"`
	CardID   int64  `json:"card_id"`
	ImageURL string `json:"image_url"`
}

// Feedback records the card the owner confirms for a scan: any catalogue
// card, candidate or not. The photo is copied to the confirmed store for
// retraining; no quota is spent.
func (s *Service) Feedback(ctx context.Context, p catalog.Principal, scanID string, cardID int64) (Confirmed, error) {
	sc, err := s.cfg.Store.Scan(ctx, scanID)
	if err == nil {
		err = owns(p, sc.UserID, "scan")
	}
	if err != nil {
		return Confirmed{}, err
	}
	game, err := s.cfg.Store.CardGame(ctx, cardID)
	if err != nil {
		return Confirmed{}, err
	}
	ph, err := s.cfg.Photos.SaveConfirmed(game, cardID, sc.ID, sc.ImagePath)
	if err != nil {
		return Confirmed{}, &catalog.Error{Code: catalog.EINTERNAL, Message: "Could not store the confirmed scan", Err: err}
	}
	if err := s.cfg.Store.AddFeedback(ctx, sc.ID, cardID, ph.Path); err != nil {
		return Confirmed{}, err
	}
	return Confirmed{ScanID: sc.ID, CardID: cardID, ImageURL: s.cfg.Photos.SignedURL(ph.Key, s.cfg.Now())}, nil
}
