package ratelimit_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/ratelimit"
)

// setup returns a limiter on the toolbox's Redis with a prefix of its own.
func setup(t *testing.T) *ratelimit.Limiter {
	t.Helper()
	addr := os.Getenv("CSM_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:56379"
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	l := ratelimit.Open(addr, "test:"+hex.EncodeToString(b)+":")
	require.NoError(t, l.Ping(t.Context()), "redis must be running (make services)")
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func TestAllowMinuteBurstThenRefill(t *testing.T) {
	t.Parallel()
	l := setup(t)
	ctx := t.Context()
	start := time.Now()
	for i := range 60 {
		r, err := l.AllowMinute(ctx, "a", 60)
		require.NoError(t, err)
		require.True(t, r.Allowed, "request %d", i)
		require.EqualValues(t, 60, r.Limit)
		require.EqualValues(t, 59-i, r.Remaining)
	}
	r, err := l.AllowMinute(ctx, "a", 60)
	require.NoError(t, err)
	if time.Since(start) < 900*time.Millisecond { // else a refill may have come: nothing to check
		require.False(t, r.Allowed)
		require.Greater(t, r.RetryAfter, time.Duration(0))
		require.LessOrEqual(t, r.RetryAfter, time.Second, "one a second refills")
	}
	// another bucket is untouched
	r, err = l.AllowMinute(ctx, "b", 60)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	// after the refill interval, one more
	time.Sleep(r.RetryAfter + time.Second)
	r, err = l.AllowMinute(ctx, "a", 60)
	require.NoError(t, err)
	require.True(t, r.Allowed)

	r, err = l.AllowMinute(ctx, "c", catalog.Unlimited)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	r, err = l.AllowMinute(ctx, "c", 0)
	require.NoError(t, err)
	require.False(t, r.Allowed)
}

// TestAllowMinuteConcurrent: many goroutines (and so many connections) on
// one bucket never get more than the burst.
func TestAllowMinuteConcurrent(t *testing.T) {
	t.Parallel()
	l := setup(t)
	var ok atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 20 {
		wg.Go(func() {
			for range 10 {
				r, err := l.AllowMinute(t.Context(), "shared", 50)
				if err == nil && r.Allowed {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	refills := int64(time.Since(start) / (1200 * time.Millisecond)) // 50/min: one every 1.2 s
	require.GreaterOrEqual(t, ok.Load(), int64(50))
	require.LessOrEqual(t, ok.Load(), 50+refills+1, "burst 50, plus what refilled during the run")
}

func TestTakeDaily(t *testing.T) {
	t.Parallel()
	l := setup(t)
	ctx := t.Context()
	day := time.Date(2026, 6, 5, 23, 59, 0, 0, time.UTC)
	r, err := l.TakeDaily(ctx, "k", 3, 5, day)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.EqualValues(t, 3, r.Used)
	require.EqualValues(t, 2, r.Remaining)
	require.Equal(t, time.Date(2026, 6, 6, 0, 0, 0, 0, time.UTC), r.Reset)

	r, err = l.TakeDaily(ctx, "k", 3, 5, day)
	require.NoError(t, err)
	require.False(t, r.Allowed, "all or nothing")
	require.EqualValues(t, 3, r.Used, "nothing taken")
	require.Equal(t, time.Minute, r.RetryAfter)

	r, err = l.TakeDaily(ctx, "k", 2, 5, day)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.EqualValues(t, 0, r.Remaining)

	// a new UTC day (a clock in another zone says the same instant)
	next := day.Add(time.Minute).In(time.FixedZone("X", -5*3600))
	r, err = l.TakeDaily(ctx, "k", 1, 5, next)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.EqualValues(t, 1, r.Used)

	used, err := l.UsedToday(ctx, []string{"k", "none"}, day)
	require.NoError(t, err)
	require.Equal(t, []int64{5, 0}, used)
	used, err = l.UsedToday(ctx, []string{"k"}, next)
	require.NoError(t, err)
	require.Equal(t, []int64{1}, used)

	// unlimited counts without refusing
	r, err = l.TakeDaily(ctx, "u", 1000, catalog.Unlimited, day)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.EqualValues(t, catalog.Unlimited, r.Remaining)
}

func TestTakeDailyConcurrent(t *testing.T) {
	t.Parallel()
	l := setup(t)
	day := time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 20 {
				if r, err := l.TakeDaily(t.Context(), "race", 1, 100, day); err == nil && r.Allowed {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 100, ok.Load())
}

func TestRedisDown(t *testing.T) {
	t.Parallel()
	l := ratelimit.Open("127.0.0.1:1", "x:")
	t.Cleanup(func() { _ = l.Close() })
	_, err := l.AllowMinute(t.Context(), "a", 10)
	require.Equal(t, catalog.EUNAVAILABLE, catalog.ErrorCode(err))
	_, err = l.TakeDaily(t.Context(), "a", 1, 10, time.Now())
	require.Equal(t, catalog.EUNAVAILABLE, catalog.ErrorCode(err))
}

// TestTakeKeyOneCall: the combined call spends the minute budget that
// AllowMinute keeps, counts the day only when the minute allows, and
// refuses on either budget.
func TestTakeKeyOneCall(t *testing.T) {
	t.Parallel()
	l := setup(t)
	ctx := t.Context()
	now := time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		m, d, err := l.TakeKey(ctx, "k", 5, "day", 4, now)
		require.NoError(t, err)
		require.True(t, m.Allowed, "request %d", i)
		require.EqualValues(t, 4-i, m.Remaining)
		require.True(t, d.Allowed)
		require.EqualValues(t, i+1, d.Used)
		require.EqualValues(t, 3-i, d.Remaining)
		require.Equal(t, catalog.NextMidnightUTC(now), d.Reset)
	}
	// the same GCRA state as AllowMinute: 3 + 1 taken of 5
	r, err := l.AllowMinute(ctx, "k", 5)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.EqualValues(t, 1, r.Remaining)
	// the day's 4th passes, its 5th is refused (the minute's 5th is spent)
	_, d, err := l.TakeKey(ctx, "k2", 100, "day", 4, now)
	require.NoError(t, err)
	require.True(t, d.Allowed)
	m, d, err := l.TakeKey(ctx, "k2", 100, "day", 4, now)
	require.NoError(t, err)
	require.True(t, m.Allowed)
	require.False(t, d.Allowed)
	require.Equal(t, 12*time.Hour, d.RetryAfter)
	// the minute refuses: the day is not counted
	_, _, err = l.TakeKey(ctx, "k", 5, "day2", -1, now)
	require.NoError(t, err)
	m, d, err = l.TakeKey(ctx, "k", 5, "day2", -1, now)
	require.NoError(t, err)
	require.False(t, m.Allowed)
	require.Positive(t, m.RetryAfter)
	require.False(t, d.Allowed)
	used, err := l.UsedToday(ctx, []string{"day2"}, now)
	require.NoError(t, err)
	require.EqualValues(t, []int64{1}, used)
}
