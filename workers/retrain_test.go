package workers_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/workers"
)

func TestRetrainHandler(t *testing.T) {
	t.Parallel()
	var reasons []string
	h := &workers.RetrainHandler{Run: func(_ context.Context, reason string) (string, error) {
		reasons = append(reasons, reason)
		if reason == "fail" {
			return "", errors.New("boom")
		}
		return "kept card-embed-v1", nil
	}}
	for _, bad := range []string{"", "{", `{"reason": ""}`, `[1]`} {
		err := h.ProcessTask(context.Background(), asynq.NewTask(workers.TypeRetrain, []byte(bad)))
		require.ErrorIs(t, err, asynq.SkipRetry, bad)
	}
	require.Empty(t, reasons)

	task, err := workers.NewRetrainTask("schedule")
	require.NoError(t, err)
	require.Equal(t, workers.TypeRetrain, task.Type())
	require.NoError(t, h.ProcessTask(context.Background(), task))
	require.Equal(t, []string{"schedule"}, reasons)

	fail := asynq.NewTask(workers.TypeRetrain, []byte(`{"reason":"fail"}`))
	err = h.ProcessTask(context.Background(), fail)
	require.Error(t, err)
	require.NotErrorIs(t, err, asynq.SkipRetry)
}

// TestRetrainTaskQueue enqueues on the real Redis and finds the task on
// its own queue, away from scans.
func TestRetrainTaskQueue(t *testing.T) {
	t.Parallel()
	opt := asynq.RedisClientOpt{Addr: redisAddr()}
	c := asynq.NewClient(opt)
	defer c.Close()
	// a reason of its own: the task is unique by payload, so another run's
	// task on the same Redis cannot collide with this one
	task, err := workers.NewRetrainTask("test-" + strconv.FormatInt(time.Now().UnixNano(), 36))
	require.NoError(t, err)
	info, err := c.Enqueue(task)
	require.NoError(t, err)
	require.Equal(t, workers.QueueRetrain, info.Queue)
	require.Equal(t, 0, info.MaxRetry)
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	require.NoError(t, insp.DeleteTask(workers.QueueRetrain, info.ID))
}

func redisAddr() string {
	if a := os.Getenv("CSM_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:56379"
}
