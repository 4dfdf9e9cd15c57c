package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/collectorstash/csm/meta"
)

// TypeStatusCheck probes the status page's targets and stores the results.
const TypeStatusCheck = "status:check"

// StatusCheckSchedule is how often the worker's scheduler enqueues it.
const StatusCheckSchedule = "@every 1m"

// StatusCheckPayload is the task payload (empty today; versioned for later).
type StatusCheckPayload struct {
	Reason string `json:"reason,omitempty"`
}

// NewStatusCheckTask returns a check task; duplicates within 30 s collapse
// into one and a missed run is not retried (the next one comes soon).
func NewStatusCheckTask(reason string) (*asynq.Task, error) {
	b, err := json.Marshal(StatusCheckPayload{Reason: reason})
	if err != nil {
		return nil, fmt.Errorf("status check: payload: %w", err)
	}
	return asynq.NewTask(TypeStatusCheck, b, asynq.MaxRetry(0), asynq.Unique(30*time.Second), asynq.Timeout(30*time.Second)), nil
}

// StatusChecker runs every probe and stores the results (meta.Service).
type StatusChecker interface {
	RunChecks(ctx context.Context) ([]meta.Check, error)
}

// StatusCheckHandler runs TypeStatusCheck tasks.
type StatusCheckHandler struct {
	Checker StatusChecker
}

// ProcessTask implements asynq.Handler.
func (h *StatusCheckHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p StatusCheckPayload
	if len(t.Payload()) > 0 {
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("status check: payload: %v: %w", err, asynq.SkipRetry)
		}
	}
	if _, err := h.Checker.RunChecks(ctx); err != nil {
		return fmt.Errorf("status check: %w", err)
	}
	return nil
}

// MaxQueueBacklog is the pending-task count above which the queue is
// degraded.
const MaxQueueBacklog = 1000

// QueueProbe checks the asynq queues: reachable, and their backlog.
type QueueProbe struct {
	Inspector *asynq.Inspector
}

// Target implements meta.Probe.
func (QueueProbe) Target() string { return meta.TargetQueue }

// Check implements meta.Probe.
func (p QueueProbe) Check(ctx context.Context) error {
	qs, err := p.Inspector.Queues()
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	backlog := 0
	for _, q := range qs {
		info, err := p.Inspector.GetQueueInfo(q)
		if err != nil {
			return fmt.Errorf("queue %s: %w", q, err)
		}
		backlog += info.Pending + info.Retry
	}
	if backlog > MaxQueueBacklog {
		return meta.Degradedf("%d tasks waiting", backlog)
	}
	return ctx.Err()
}

// WorkersProbe checks that at least one worker process is serving.
type WorkersProbe struct {
	Inspector *asynq.Inspector
}

// Target implements meta.Probe.
func (WorkersProbe) Target() string { return meta.TargetWorkers }

// Check implements meta.Probe.
func (p WorkersProbe) Check(ctx context.Context) error {
	servers, err := p.Inspector.Servers()
	if err != nil {
		return fmt.Errorf("workers: %w", err)
	}
	active := 0
	for _, s := range servers {
		if s.Status == "active" {
			active++
		}
	}
	if active == 0 {
		return errors.New("no worker is running")
	}
	return ctx.Err()
}
