package ratelimit_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTakeKeyConcurrentCoalesced: 400 concurrent TakeKey calls (which go
// to Redis in shared pipelines) spend exactly the minute's burst and count
// exactly the allowed requests in the day, each caller getting its own
// reply.
func TestTakeKeyConcurrentCoalesced(t *testing.T) {
	t.Parallel()
	l, _ := setup(t)
	now := time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)
	var allowed, refused, counted atomic.Int64
	seen := make([]atomic.Bool, 301)
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			for range 10 {
				m, d, err := l.TakeKey(t.Context(), "burst", 250, "day", 300, now)
				if err != nil {
					t.Error(err)
					return
				}
				if !m.Allowed {
					refused.Add(1)
					continue
				}
				allowed.Add(1)
				if d.Allowed {
					counted.Add(1)
					if d.Used < 1 || d.Used > 300 || seen[d.Used].Swap(true) {
						t.Errorf("day count %d given twice or out of range", d.Used)
					}
				}
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 250, allowed.Load(), "burst 250 on a frozen clock")
	require.EqualValues(t, 150, refused.Load())
	require.EqualValues(t, 250, counted.Load())
	used, err := l.UsedToday(t.Context(), []string{"day"}, now)
	require.NoError(t, err)
	require.EqualValues(t, []int64{250}, used)
}
