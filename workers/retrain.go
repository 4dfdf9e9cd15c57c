package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeRetrain fine-tunes the embedding model on confirmed scans and promotes
// it when it is better (see package retrain).
const TypeRetrain = "model:retrain"

// QueueRetrain is the queue retraining runs on, served by its own worker
// server (concurrency 1) so a long run never takes a scan worker's slot.
const QueueRetrain = "retrain"

// RetrainPayload says why a retrain was queued ("schedule", "manual").
type RetrainPayload struct {
	Reason string `json:"reason"`
}

// NewRetrainTask returns a retrain task: on QueueRetrain, not retried (the
// next scheduled run retries), unique for its timeout so runs never overlap.
func NewRetrainTask(reason string) (*asynq.Task, error) {
	if reason == "" {
		reason = "manual"
	}
	b, err := json.Marshal(RetrainPayload{Reason: reason})
	if err != nil {
		return nil, fmt.Errorf("retrain: payload: %w", err)
	}
	return asynq.NewTask(TypeRetrain, b, asynq.Queue(QueueRetrain), asynq.MaxRetry(0),
		asynq.Timeout(3*time.Hour), asynq.Unique(3*time.Hour), asynq.Retention(24*time.Hour)), nil
}

// RetrainHandler runs TypeRetrain tasks.
type RetrainHandler struct {
	// Run performs one retraining and returns its summary.
	Run func(ctx context.Context, reason string) (string, error)
}

// ProcessTask implements asynq.Handler; a bad payload is not retried.
func (h *RetrainHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p RetrainPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Reason == "" {
		return fmt.Errorf("retrain: bad payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	summary, err := h.Run(ctx, p.Reason)
	if err != nil {
		return fmt.Errorf("retrain: %w", err)
	}
	if w := t.ResultWriter(); w != nil {
		_, _ = w.Write([]byte(summary))
	}
	return nil
}
