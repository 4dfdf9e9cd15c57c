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

// RecognizeHandler runs TypeRecognize tasks.
type RecognizeHandler struct {
	Store    catalog.ScanStore
	Notify   func(ctx context.Context, scanID string) error
	Decode   func(data []byte) (*image.RGBA, error)
	Pipeline *recognizer.Pipeline
	// Debug stores an intermediate image of a scan and returns its URL.
	Debug func(scanID, name string, img image.Image) string
	Log   *slog.Logger
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
	fresh, err := h.Store.StartScan(ctx, p.ScanID)
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		return fmt.Errorf("recognize: %s: %v: %w", p.ScanID, err, asynq.SkipRetry)
	}
	if err != nil {
		return fmt.Errorf("recognize: start: %w", err)
	}
	if !fresh { // already finished by an earlier attempt
		return h.notify(ctx, p.ScanID)
	}
	scan, err := h.Store.Scan(ctx, p.ScanID)
	if err != nil {
		return fmt.Errorf("recognize: load: %w", err)
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
		if ferr := h.Store.FinishScan(context.WithoutCancel(ctx), p.ScanID, nil, err); ferr != nil {
			return fmt.Errorf("recognize: store failure: %w", ferr)
		}
		return h.notify(context.WithoutCancel(ctx), p.ScanID)
	}
	res.ScanID = p.ScanID
	if err := h.Store.FinishScan(ctx, p.ScanID, &res, nil); err != nil {
		return fmt.Errorf("recognize: store result: %w", err)
	}
	log.Info("scan done", "scan_id", p.ScanID, "cards", len(res.Cards), "took_ms", res.Timings["total"])
	return h.notify(ctx, p.ScanID)
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

func (h *RecognizeHandler) notify(ctx context.Context, id string) error {
	if h.Notify == nil {
		return nil
	}
	if err := h.Notify(ctx, id); err != nil {
		return fmt.Errorf("recognize: notify: %w", err)
	}
	return nil
}
