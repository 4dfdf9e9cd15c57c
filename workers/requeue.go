package workers

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// WaitingScans lists scans Postgres still has as queued or running, created
// before a time: the candidates for re-queueing.
type WaitingScans interface {
	WaitingScans(ctx context.Context, before time.Time, limit int) ([]string, error)
}

// Requeuer puts back on the queue the scans whose queue entry was lost (a
// Redis restart without persistence, a failed enqueue): Postgres is the
// record of what must run. Task ids are scan ids, so a scan the queue still
// knows (pending, active, retrying or completed) is not queued twice.
type Requeuer struct {
	Store WaitingScans
	Queue *Queue
	// After is how old a waiting scan must be before it is checked.
	After time.Duration
	Log   *slog.Logger
	// Now is the clock (time.Now).
	Now func() time.Time
}

// sweepBatch bounds the scans one sweep looks at.
const sweepBatch = 1000

// Sweep re-queues the lost scans once; it returns how many it queued.
func (r *Requeuer) Sweep(ctx context.Context) (int, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	ids, err := r.Store.WaitingScans(ctx, now().Add(-r.After), sweepBatch)
	if err != nil {
		return 0, fmt.Errorf("requeue: %w", err)
	}
	n := 0
	for _, id := range ids {
		queued, err := r.Queue.requeueScan(ctx, id)
		if err != nil {
			return n, fmt.Errorf("requeue %s: %w", id, err)
		}
		if queued {
			n++
		}
	}
	return n, nil
}

// Run sweeps at once and then every After/3 until ctx ends.
func (r *Requeuer) Run(ctx context.Context) {
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	every := max(r.After/3, time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := r.Sweep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("re-queue sweep", "err", err)
		case n > 0:
			log.Info("re-queued scans whose queue entry was lost", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
