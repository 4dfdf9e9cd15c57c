// Package scanning holds the rules of card recognition as a product: single
// scans, bulk batches, cross-device scan sessions, feedback and private
// photo access. Handlers (api) and tasks (workers) call one method each;
// the state lives behind Store (Postgres), the work behind Queue (asynq),
// and every state change is announced on Events so that any API process
// can stream it.
//
// A scan finishes in one place, FinishScan, called by the worker: the
// result, and the recognition of every session card waiting for it, are
// stored in one transaction; then the session's "result" event, the
// batch's "scan" event and the waiters' notification go out.
package scanning

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/photos"
)

// Store is what the service keeps in the database.
type Store interface {
	CreateScan(ctx context.Context, s catalog.Scan) error
	CreateBatch(ctx context.Context, b catalog.Batch) error
	Scan(ctx context.Context, id string) (catalog.Scan, error)
	Batch(ctx context.Context, id string) (catalog.Batch, error)
	// StartScan marks a queued scan running; false when it already finished.
	StartScan(ctx context.Context, id string) (bool, error)
	// FinishScan stores a scan's outcome once and, in the same
	// transaction, its recognition on every session card waiting for it.
	// A scan already finished changes nothing (Finished.Stored false).
	FinishScan(ctx context.Context, o Outcome) (Finished, error)
	AddFeedback(ctx context.Context, scanID string, cardID int64, imagePath string) error
	CardGame(ctx context.Context, cardID int64) (string, error)

	CreateScanSession(ctx context.Context, s catalog.ScanSession) error
	// ScanSession returns a session with its cards in index order.
	ScanSession(ctx context.Context, id string) (catalog.ScanSession, error)
	// ClaimScanSession moves a pending session to claimed (once: ECONFLICT after).
	ClaimScanSession(ctx context.Context, id, deviceName string, now time.Time) error
	// ReserveScanPhoto takes the next card index of an open session.
	ReserveScanPhoto(ctx context.Context, id string, now time.Time) (int, error)
	// PutScanCards upserts cards of an open session.
	PutScanCards(ctx context.Context, id string, cards []catalog.ScanSessionCard, now time.Time) error
	// CompleteScanSession closes an open session and returns its card count.
	CompleteScanSession(ctx context.Context, id string, now time.Time) (int, error)
}

// Outcome is a finished scan as stored: the result (done) or the error
// (failed), and the recognition a session card shows for it.
type Outcome struct {
	ScanID    string
	Status    catalog.ScanStatus
	Result    *catalog.ScanResult
	ErrorCode string
	Error     string
	// Recognition is the session cards' JSON: the /recognize response, or
	// {"scan_id", "error": {"code", "detail"}}.
	Recognition json.RawMessage
}

// CardRef names one session card.
type CardRef struct {
	SessionID string
	Index     int
}

// Finished is what FinishScan changed.
type Finished struct {
	Stored  bool      // false: the scan had already finished
	BatchID string    // the scan's batch, "" for none
	Cards   []CardRef // session cards that now show the recognition
}

// Queue hands scans to workers and wakes waiters (asynq + Redis).
type Queue = catalog.ScanQueue

// Events is a pub/sub bus keyed by session or batch id (Redis).
type Events = catalog.ScanEvents

// Batch events (BatchEvents topic = batch id).
const (
	// BatchEventScan says one scan of the batch finished.
	BatchEventScan = "scan"
)

// Config wires the service.
type Config struct {
	Store  Store
	Queue  Queue
	Photos *photos.Store
	// Events carries scan-session events; BatchEvents bulk-batch events.
	// Either may be nil (a process without Redis pub/sub): nothing is
	// published, and streams fall back to their periodic re-read.
	Events      Events
	BatchEvents Events
	// Wait bounds how long /recognize and session results wait for the
	// worker (30 s by default).
	Wait time.Duration
	// Resync is how often an event stream re-reads the store in case an
	// event was lost (pub/sub is at most once): 15 s by default.
	Resync time.Duration
	Now    func() time.Time
	Log    *slog.Logger
}

// Service is the scanning use cases.
type Service struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
}

// New returns the service; Close it on shutdown.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Wait <= 0 {
		cfg.Wait = 30 * time.Second
	}
	if cfg.Resync <= 0 {
		cfg.Resync = 15 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{cfg: cfg, ctx: ctx, cancel: cancel}
}

// Start ties the service's lifetime to ctx: when ctx ends, the service
// closes.
func (s *Service) Start(ctx context.Context) {
	context.AfterFunc(ctx, func() { _ = s.Close() })
}

// Close ends every wait and stream the service runs: requests waiting for
// a recognition answer at once with what stands (202 while queued), and
// event streams end. The service starts no goroutine that outlives the
// request it serves, so nothing is left behind.
func (s *Service) Close() error {
	s.once.Do(s.cancel)
	return nil
}

// Photos is the photo store (for the wiring of workers).
func (s *Service) Photos() *photos.Store { return s.cfg.Photos }

// bound returns ctx that also ends when the service closes.
func (s *Service) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	return ctx, func() { stop(); cancel() }
}

// publish sends an event; a failure is logged, not returned: the state is
// stored, and status routes and stream catch-up still see it.
func (s *Service) publish(ctx context.Context, bus Events, topic, event string, data any) {
	if bus == nil {
		return
	}
	if err := bus.Publish(context.WithoutCancel(ctx), topic, event, data); err != nil {
		s.cfg.Log.WarnContext(ctx, "scan event not published", "topic", topic, "event", event, "err", err)
	}
}

// owns allows the scan's owner and admins; scans made anonymously (a
// server without accounts) have owner 0 and are readable by id alone.
func owns(p catalog.Principal, owner int64, what string) error {
	if owner == 0 || (p.Authenticated() && (p.User.ID == owner || p.User.IsAdmin)) {
		return nil
	}
	if !p.Authenticated() {
		return catalog.Errorf(catalog.EUNAUTHORIZED, "Not authenticated")
	}
	return catalog.Errorf(catalog.EFORBIDDEN, "Not the owner of this %s", what)
}
