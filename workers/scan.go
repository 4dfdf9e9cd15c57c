package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"os"
	"time"

	"github.com/hibiken/asynq"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer"
)

// TypeRecognize recognises one stored scan photo.
const TypeRecognize = "scan:recognize"

// QueueScans is the asynq queue scan tasks go to (weighted above default).
const QueueScans = "scans"

// RecognizePayload names the scan to recognise; the photo is on disk.
type RecognizePayload struct {
	ScanID string `json:"scan_id"`
}

// NewRecognizeTask returns a scan task. The task id is the scan id, so a
// scan is never queued twice; asynq retries it if a worker dies mid-task.
func NewRecognizeTask(scanID string) (*asynq.Task, error) {
	if scanID == "" {
		return nil, errors.New("recognize: empty scan id")
	}
	b, err := json.Marshal(RecognizePayload{ScanID: scanID})
	if err != nil {
		return nil, fmt.Errorf("recognize: payload: %w", err)
	}
	return asynq.NewTask(TypeRecognize, b, asynq.Queue(QueueScans), asynq.TaskID(scanID),
		asynq.MaxRetry(3), asynq.Timeout(2*time.Minute), asynq.Retention(time.Hour)), nil
}

// Scans is the scanning service as the worker uses it: a scan starts and
// finishes there (the result and the session cards in one transaction,
// then the events).
type Scans interface {
	BeginScan(ctx context.Context, id string) (catalog.Scan, bool, error)
	FinishScan(ctx context.Context, id string, res *catalog.ScanResult, failure error) error
}

// RecognizeHandler runs TypeRecognize tasks.
type RecognizeHandler struct {
	Scans    Scans
	Decode   func(data []byte) (*image.RGBA, error)
	Pipeline *recognizer.Pipeline
	// Debug stores an intermediate image of a scan and returns its URL.
	Debug func(scanID, name string, img image.Image) string
	// Observe, when set, receives each finished scan's stage timings (ms)
	// and outcome (metrics).
	Observe func(timings map[string]float64, status catalog.ScanStatus)
	Log     *slog.Logger
}

// ProcessTask implements asynq.Handler. Bad input (payload or photo) fails
// the scan without retries; infrastructure errors are retried; the result
// is stored once whatever happens.
func (h *RecognizeHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p RecognizePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ScanID == "" {
		return fmt.Errorf("recognize: bad payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	scan, fresh, err := h.Scans.BeginScan(ctx, p.ScanID)
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		return fmt.Errorf("recognize: %s: %v: %w", p.ScanID, err, asynq.SkipRetry)
	}
	if err != nil {
		return fmt.Errorf("recognize: start: %w", err)
	}
	if !fresh { // already finished by an earlier attempt: wake waiters again
		return h.Scans.FinishScan(ctx, p.ScanID, nil, errAlreadyFinished)
	}
	res, err := h.run(ctx, scan)
	if err != nil {
		code := catalog.ErrorCode(err)
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, _ := asynq.GetMaxRetry(ctx)
		transient := ctx.Err() != nil || code == catalog.EINTERNAL || code == catalog.EUNAVAILABLE
		if transient && retried < maxRetry {
			// shutdown, timeout or an infrastructure error: asynq re-queues
			// or retries the task; nothing is stored yet
			return fmt.Errorf("recognize: %s: %w", p.ScanID, err)
		}
		log.Warn("scan failed", "scan_id", p.ScanID, "code", code, "err", err)
		h.observe(nil, catalog.ScanFailed)
		if ferr := h.Scans.FinishScan(context.WithoutCancel(ctx), p.ScanID, nil, err); ferr != nil {
			return fmt.Errorf("recognize: store failure: %w", ferr)
		}
		return nil
	}
	res.ScanID = p.ScanID
	if err := h.Scans.FinishScan(ctx, p.ScanID, &res, nil); err != nil {
		return fmt.Errorf("recognize: store result: %w", err)
	}
	h.observe(res.Timings, catalog.ScanDone)
	log.Info("scan done", "scan_id", p.ScanID, "cards", len(res.Cards), "took_ms", res.Timings["total"])
	return nil
}

// errAlreadyFinished is the (never stored) outcome given for a scan an
// earlier attempt finished: the store keeps the first outcome.
var errAlreadyFinished = catalog.Errorf(catalog.ECONFLICT, "scan already finished")

func (h *RecognizeHandler) observe(timings map[string]float64, st catalog.ScanStatus) {
	if h.Observe != nil {
		h.Observe(timings, st)
	}
}

func (h *RecognizeHandler) run(ctx context.Context, scan catalog.Scan) (catalog.ScanResult, error) {
	start := time.Now()
	data, err := os.ReadFile(scan.ImagePath)
	if err != nil {
		return catalog.ScanResult{}, &catalog.Error{Code: catalog.EINVALID, Message: "Scan image is missing", Err: err}
	}
	img, err := h.Decode(data)
	if err != nil {
		return catalog.ScanResult{}, err
	}
	decoded := time.Since(start)
	opt := recognizer.Options{TCGSlug: scan.TCGSlug}
	if scan.Debug && h.Debug != nil {
		opt.Debug = func(name string, im image.Image) string { return h.Debug(scan.ID, name, im) }
	}
	res, err := h.Pipeline.Recognize(ctx, img, opt)
	if err != nil {
		return res, err
	}
	res.Timings["decode"] = float64(decoded.Microseconds()) / 1000
	res.Timings["total"] = float64(time.Since(start).Microseconds()) / 1000
	return res, nil
}
