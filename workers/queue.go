package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
)

// Queue implements catalog.ScanQueue on asynq and Redis pub/sub.
type Queue struct {
	client *asynq.Client
	rdb    *redis.Client
	// Poll bounds how long a waiter sleeps without a notification.
	Poll time.Duration
	// QueueName is the asynq queue scans go to (QueueScans by default).
	QueueName string
}

var _ catalog.ScanQueue = (*Queue)(nil)

// NewQueue connects to Redis at addr.
func NewQueue(addr string) *Queue {
	return &Queue{
		client: asynq.NewClient(asynq.RedisClientOpt{Addr: addr}),
		rdb:    redis.NewClient(&redis.Options{Addr: addr}),
		Poll:   250 * time.Millisecond,
	}
}

// Close releases the connections.
func (q *Queue) Close() error {
	return errors.Join(q.client.Close(), q.rdb.Close())
}

// EnqueueScan queues a recognition; a scan already queued is not an error.
func (q *Queue) EnqueueScan(ctx context.Context, scanID string) error {
	t, err := NewRecognizeTask(scanID)
	if err != nil {
		return err
	}
	name := q.QueueName
	if name == "" {
		name = QueueScans
	}
	if _, err := q.client.EnqueueContext(ctx, t, asynq.Queue(name)); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return catalog.Unavailable(fmt.Errorf("queue: enqueue: %w", err))
	}
	return nil
}

func channel(id string) string { return "csm:scan:" + id }

// NotifyScan publishes that a scan finished.
func (q *Queue) NotifyScan(ctx context.Context, scanID string) error {
	return q.rdb.Publish(ctx, channel(scanID), "done").Err()
}

// WaitScan returns when a notification for the scan arrives, after Poll
// (callers re-check the store in a loop, so a missed message costs at most
// one poll), or when ctx ends.
func (q *Queue) WaitScan(ctx context.Context, scanID string) error {
	sub := q.rdb.Subscribe(ctx, channel(scanID))
	defer sub.Close()
	t := time.NewTimer(q.Poll)
	defer t.Stop()
	select {
	case <-sub.Channel():
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// Ping reports whether Redis answers.
func (q *Queue) Ping(ctx context.Context) error {
	return q.rdb.Ping(ctx).Err()
}
