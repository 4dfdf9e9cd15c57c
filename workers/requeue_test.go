package workers_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/workers"
)

// TestRequeueLostScans: scans Postgres has as queued whose queue entry
// Redis lost are queued again; a scan the queue still knows, or one that
// finished, is not queued twice.
func TestRequeueLostScans(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, _ := pgtest.New(t)
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr()})
	t.Cleanup(func() { _ = rdb.Close() })
	require.NoError(t, rdb.Ping(ctx).Err(), "redis must be running (make services)")
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	q := workers.NewQueueFromClient(rdb)
	q.QueueName = "test-requeue-" + hex.EncodeToString(b)
	insp := asynq.NewInspectorFromRedisClient(rdb)
	t.Cleanup(func() { _ = insp.DeleteQueue(q.QueueName, true); _ = q.Close() })

	ids := []string{"rq-a-" + hex.EncodeToString(b), "rq-b-" + hex.EncodeToString(b), "rq-c-" + hex.EncodeToString(b)}
	for _, id := range ids {
		require.NoError(t, db.CreateScan(ctx, catalog.Scan{ID: id, ImagePath: "scans/" + id + ".jpg"}))
	}
	require.NoError(t, q.EnqueueScan(ctx, ids[0])) // the queue knows a; b and c were lost
	later := func() time.Time { return time.Now().Add(time.Hour) }
	r := &workers.Requeuer{Store: db, Queue: q, After: 30 * time.Second, Now: later}

	young := &workers.Requeuer{Store: db, Queue: q, After: 30 * time.Second}
	n, err := young.Sweep(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "scans younger than After are left alone")

	n, err = r.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	n, err = r.Sweep(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "idempotent: task ids are scan ids")
	pending, err := insp.ListPendingTasks(q.QueueName)
	require.NoError(t, err)
	require.Len(t, pending, 3)

	// Redis loses everything (a restart without persistence); c finished
	_, err = insp.DeleteAllPendingTasks(q.QueueName)
	require.NoError(t, err)
	_, err = db.Pool.Exec(ctx, `UPDATE scans SET status = 'done' WHERE id = $1`, ids[2])
	require.NoError(t, err)
	n, err = r.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n, "a and b come back, the finished c does not")
	pending, err = insp.ListPendingTasks(q.QueueName)
	require.NoError(t, err)
	got := []string{}
	for _, p := range pending {
		got = append(got, p.ID)
	}
	require.ElementsMatch(t, ids[:2], got)
}
