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

	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/pricing"
	"github.com/collectorstash/csm/rediscache"
	"github.com/collectorstash/csm/workers"
)

// TestRefreshMarketHandler runs the task over the demo catalogue and finds
// the movers in Redis.
func TestRefreshMarketHandler(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, _ := pgtest.New(t)
	today := time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)
	_, err := demo.Load(ctx, db, db, demo.Options{Today: today, Days: 40})
	require.NoError(t, err)
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr()})
	defer rdb.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "test:market:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	svc := pricing.New(db, pricing.Options{Cache: rediscache.New(rdb), Now: func() time.Time { return today }, Prefix: prefix})
	h := &workers.RefreshMarketHandler{Market: svc}

	for _, bad := range []string{"{", `[1]`} {
		err := h.ProcessTask(ctx, asynq.NewTask(workers.TypeRefreshMarket, []byte(bad)))
		require.ErrorIs(t, err, asynq.SkipRetry, bad)
	}
	task, err := workers.NewRefreshMarketTask("test")
	require.NoError(t, err)
	require.Equal(t, workers.TypeRefreshMarket, task.Type())
	require.NoError(t, h.ProcessTask(ctx, task))
	n, err := rdb.Exists(ctx, prefix+"movers:all:7d", prefix+"movers:pokemon:90d", prefix+"spreads:all", prefix+"stats").Result()
	require.NoError(t, err)
	require.Equal(t, int64(4), n)
	m, err := svc.Movers(ctx, pricing.MoversQuery{TCG: "all", Period: "7d", Limit: 5})
	require.NoError(t, err)
	require.NotEmpty(t, append(m.Gainers, m.Losers...))
}
