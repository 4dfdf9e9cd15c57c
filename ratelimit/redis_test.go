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

// clock is a frozen clock that tests move by hand, so refills happen only
// when a test says so.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// redisAddr is the toolbox's Redis, or CSM_REDIS_ADDR.
func redisAddr() string {
	if addr := os.Getenv("CSM_REDIS_ADDR"); addr != "" {
		return addr
	}
	return "127.0.0.1:56379"
}

// setup returns a limiter on the toolbox's Redis with a prefix of its own
// and the frozen clock it reads.
func setup(t *testing.T) (*ratelimit.Limiter, *clock) {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	c := &clock{t: time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)}
	l := ratelimit.Open(redisAddr(), "test:"+hex.EncodeToString(b)+":").WithClock(c.Now)
	require.NoError(t, l.Ping(t.Context()), "redis must be running (make services)")
	t.Cleanup(func() { _ = l.Close() })
	return l, c
}

func TestAllowMinuteBurstThenRefill(t *testing.T) {
	t.Parallel()
	l, clk := setup(t)
	ctx := t.Context()
	for i := range 60 {
		r, err := l.AllowMinute(ctx, "a", 60)
		require.NoError(t, err)
		require.True(t, r.Allowed, "request %d", i)
		require.EqualValues(t, 60, r.Limit)
		require.EqualValues(t, 59-i, r.Remaining)
	}
	r, err := l.AllowMinute(ctx, "a", 60)
	require.NoError(t, err)
	require.False(t, r.Allowed)
	require.InDelta(t, time.Second, r.RetryAfter, float64(time.Millisecond), "one a second refills")
	require.InDelta(t, time.Minute, r.Reset.Sub(clk.Now()), float64(time.Second), "the full budget is back in a minute")
	// another bucket is untouched
	r2, err := l.AllowMinute(ctx, "b", 60)
	require.NoError(t, err)
	require.True(t, r2.Allowed)
	// just before the refill: still refused; at it: one more, then refused again
	clk.Add(r.RetryAfter - 10*time.Millisecond)
	r, err = l.AllowMinute(ctx, "a", 60)
	require.NoError(t, err)
	require.False(t, r.Allowed)
	clk.Add(10 * time.Millisecond)
	r, err = l.AllowMinute(ctx, "a", 60)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	r, err = l.AllowMinute(ctx, "a", 60)
	require.NoError(t, err)
	require.False(t, r.Allowed)
	// a minute later the whole burst is back
	clk.Add(time.Minute)
	r, err = l.AllowMinute(ctx, "a", 60)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	require.EqualValues(t, 59, r.Remaining)

	r, err = l.AllowMinute(ctx, "c", catalog.Unlimited)
	require.NoError(t, err)
	require.True(t, r.Allowed)
	r, err = l.AllowMinute(ctx, "c", 0)
	require.NoError(t, err)
	require.False(t, r.Allowed)
}

// TestAllowMinuteConcurrent: many goroutines (and so many connections) on
// one bucket get exactly the burst while the clock stands still.
func TestAllowMinuteConcurrent(t *testing.T) {
	t.Parallel()
	l, _ := setup(t)
	var ok atomic.Int64
	var wg sync.WaitGroup
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
	require.EqualValues(t, 50, ok.Load(), "burst 50, no refill on a frozen clock")
}

func TestTakeDaily(t *testing.T) {
	t.Parallel()
	l, _ := setup(t)
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
	l, _ := setup(t)
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
	l, _ := setup(t)
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
