package ratelimit_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/ratelimit"
)

// leased is a second limiter on setup's Redis prefix and clock (another
// process), serving TakeKey from leases.
func leased(t *testing.T, prefix string, clk *clock, o ratelimit.LeaseOptions) *ratelimit.Leased {
	t.Helper()
	x := ratelimit.NewLeased(ratelimit.Open(redisAddr(), prefix).WithClock(clk.Now), o)
	t.Cleanup(func() { _ = x.Close() })
	return x
}

// TestLeasedTwoProcessesExact: two leasing limiters (two Redis clients,
// two sets of leases, as two API processes) race 16 goroutines on one key
// until each is refused: on a still clock exactly the minute's burst is
// served in total, every request gets its own day count, and the day's
// counter in Redis is exactly what was served once the leases are given
// back.
func TestLeasedTwoProcessesExact(t *testing.T) {
	t.Parallel()
	l, clk := setup(t)
	prefix := l.Prefix()
	a := leased(t, prefix, clk, ratelimit.LeaseOptions{})
	b := leased(t, prefix, clk, ratelimit.LeaseOptions{})
	now := clk.Now()
	const burst, perDay = 500, 1000
	var allowed atomic.Int64
	seen := make([]atomic.Bool, perDay+1)
	var wg sync.WaitGroup
	for g := range 16 {
		x := a
		if g%2 == 1 {
			x = b
		}
		wg.Go(func() {
			for range 2 * burst {
				m, d, err := x.TakeKey(t.Context(), "key:1:pro", burst, "key:1", perDay, now)
				if err != nil {
					t.Error(err)
					return
				}
				if !m.Allowed {
					if m.RetryAfter <= 0 {
						t.Errorf("refused with retry after %s", m.RetryAfter)
					}
					return
				}
				allowed.Add(1)
				if !d.Allowed || d.Used < 1 || d.Used > perDay || seen[d.Used].Swap(true) || d.Remaining != perDay-d.Used {
					t.Errorf("day %+v: count given twice, out of range or refused", d)
				}
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, burst, allowed.Load(), "burst %d on a still clock, across both processes", burst)
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
	used, err := l.UsedToday(t.Context(), []string{"key:1"}, now)
	require.NoError(t, err)
	require.EqualValues(t, []int64{burst}, used)
	r, err := l.AllowMinute(t.Context(), "key:1:pro", burst)
	require.NoError(t, err)
	require.False(t, r.Allowed, "the minute is spent in Redis")
}

// TestLeasedGivesBack: a lease grows while it is used up, its rest goes
// back to both budgets when it is forgotten or expires, and the day's
// counts stay those of a TakeKey per request.
func TestLeasedGivesBack(t *testing.T) {
	t.Parallel()
	l, clk := setup(t)
	x := leased(t, l.Prefix(), clk, ratelimit.LeaseOptions{TTL: time.Hour})
	ctx := t.Context()
	now := clk.Now()
	for i := range 4 { // leases of 1, 2, then 4 (one used)
		m, d, err := x.TakeKey(ctx, "m", 60, "d", 1000, now)
		require.NoError(t, err)
		require.True(t, m.Allowed)
		require.EqualValues(t, 60, m.Limit)
		require.EqualValues(t, 60-1-i, m.Remaining)
		require.True(t, d.Allowed)
		require.EqualValues(t, i+1, d.Used)
		require.EqualValues(t, 1000-1-i, d.Remaining)
		require.Equal(t, catalog.NextMidnightUTC(now), d.Reset)
	}
	used, err := l.UsedToday(ctx, []string{"d"}, now)
	require.NoError(t, err)
	require.EqualValues(t, []int64{7}, used, "3 tokens outstanding in the lease")
	used, err = x.UsedToday(ctx, []string{"d", "other"}, now)
	require.NoError(t, err)
	require.EqualValues(t, []int64{4, 0}, used, "the leasing process counts what it served")
	x.Forget(ctx, "d")
	used, err = l.UsedToday(ctx, []string{"d"}, now)
	require.NoError(t, err)
	require.EqualValues(t, []int64{4}, used, "given back")
	r, err := l.AllowMinute(ctx, "m", 60)
	require.NoError(t, err)
	require.EqualValues(t, 60-5, r.Remaining, "the minute got its 3 back")

	// an expired lease's rest goes back in the next lease's call, and the
	// next lease is the size that was used
	_, d, err := x.TakeKey(ctx, "m", 60, "d", 1000, now) // a lease of 4 again
	require.NoError(t, err)
	require.EqualValues(t, 5, d.Used)
	clk.Add(2 * time.Hour)
	now = clk.Now()
	_, d, err = x.TakeKey(ctx, "m", 60, "d", 1000, now) // 3 back, a lease of 1
	require.NoError(t, err)
	require.EqualValues(t, 6, d.Used)
	used, err = l.UsedToday(ctx, []string{"d"}, now)
	require.NoError(t, err)
	require.EqualValues(t, []int64{6}, used)
}

// TestLeasedLimitsChange: a new tier (another minute bucket and limits)
// takes a new lease at once and the old one's rest goes back; the day
// refuses with its own result, the minute with a retry time.
func TestLeasedLimitsChange(t *testing.T) {
	t.Parallel()
	l, clk := setup(t)
	x := leased(t, l.Prefix(), clk, ratelimit.LeaseOptions{TTL: time.Hour})
	ctx := t.Context()
	now := clk.Now()
	for range 3 { // leases of 1 and 2: none outstanding
		m, _, err := x.TakeKey(ctx, "k:free", 30, "k", 5, now)
		require.NoError(t, err)
		require.True(t, m.Allowed)
	}
	m, d, err := x.TakeKey(ctx, "k:free", 30, "k", 5, now) // a lease of 2 (the day's last)
	require.NoError(t, err)
	require.True(t, m.Allowed)
	require.EqualValues(t, 1, d.Remaining)
	// upgraded: the new limits apply to the next request
	m, d, err = x.TakeKey(ctx, "k:pro", 120, "k", 25_000, now)
	require.NoError(t, err)
	require.True(t, m.Allowed)
	require.EqualValues(t, 120, m.Limit)
	require.EqualValues(t, 5, d.Used, "the old lease's unused token went back first")
	require.EqualValues(t, 25_000-5, d.Remaining)
	// downgraded again, the day is spent
	_, d, err = x.TakeKey(ctx, "k:free", 30, "k", 5, now)
	require.NoError(t, err)
	require.False(t, d.Allowed)
	require.EqualValues(t, 0, d.Remaining)
	require.Equal(t, 12*time.Hour, d.RetryAfter)
	used, err := l.UsedToday(ctx, []string{"k"}, now)
	require.NoError(t, err)
	require.EqualValues(t, []int64{5}, used)

	// the minute refuses once its burst is spent
	allowed := 0
	for range 40 {
		m, _, err := x.TakeKey(ctx, "s:free", 30, "s", catalog.Unlimited, now)
		require.NoError(t, err)
		if !m.Allowed {
			require.InDelta(t, 2*time.Second, m.RetryAfter, float64(10*time.Millisecond))
			require.EqualValues(t, 30, m.Limit)
			continue
		}
		allowed++
	}
	require.Equal(t, 30, allowed)
	// the refusal is repeated until its retry time, then Redis is asked
	clk.Add(1500 * time.Millisecond)
	m, _, err = x.TakeKey(ctx, "s:free", 30, "s", catalog.Unlimited, clk.Now())
	require.NoError(t, err)
	require.False(t, m.Allowed)
	require.InDelta(t, 500*time.Millisecond, m.RetryAfter, float64(10*time.Millisecond))
	clk.Add(500 * time.Millisecond)
	m, _, err = x.TakeKey(ctx, "s:free", 30, "s", catalog.Unlimited, clk.Now())
	require.NoError(t, err)
	require.True(t, m.Allowed, "one token refilled")
}
