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
	rdb    redis.UniversalClient
	// shared: rdb belongs to the caller (NewQueueFromClient)
	shared bool
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

// NewQueueFromClient uses the process's Redis client; Close leaves it open.
func NewQueueFromClient(rdb redis.UniversalClient) *Queue {
	return &Queue{client: asynq.NewClientFromRedisClient(rdb), rdb: rdb, shared: true, Poll: 250 * time.Millisecond}
}

// Close releases the connections (not a shared client).
func (q *Queue) Close() error {
	if q.shared {
		return q.client.Close()
	}
	return errors.Join(q.client.Close(), q.rdb.Close())
}

// EnqueueScan queues a recognition; a scan already queued is not an error.
func (q *Queue) EnqueueScan(ctx context.Context, scanID string) error {
	_, err := q.requeueScan(ctx, scanID)
	return err
}

// requeueScan queues a recognition and reports whether it was queued now
// (false: the queue already knows the task id).
func (q *Queue) requeueScan(ctx context.Context, scanID string) (bool, error) {
	t, err := NewRecognizeTask(scanID)
	if err != nil {
		return false, err
	}
	name := q.QueueName
	if name == "" {
		name = QueueScans
	}
	_, err = q.client.EnqueueContext(ctx, t, asynq.Queue(name))
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict):
		return false, nil
	case err != nil:
		return false, catalog.Unavailable(fmt.Errorf("queue: enqueue: %w", err))
	}
	return true, nil
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
