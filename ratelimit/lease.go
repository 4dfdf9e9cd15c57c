package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
)

// Lease defaults: see LeaseOptions.
const (
	DefaultLeaseMax = 64
	DefaultLeaseTTL = 250 * time.Millisecond
)

// LeaseOptions configure a Leased limiter.
type LeaseOptions struct {
	// Max caps the tokens of one lease (DefaultLeaseMax when 0).
	Max int64
	// TTL is how long a lease serves requests; what is left of it then
	// goes back to Redis (DefaultLeaseTTL when 0).
	TTL time.Duration
}

// Leased is a Limiter whose TakeKey serves an API key's requests from
// leases: one Lua call takes a batch of tokens from both of the key's
// budgets in Redis (the minute's GCRA and the day's counter, exactly as
// that many TakeKey calls would), and the process then hands them out to
// its requests with an atomic counter, without a round trip. A lease
// lives TTL at most; its unused tokens then go back to Redis (the GCRA's
// arrival time moves back, the day's counter down). Every token is counted
// in Redis before it is served, so the limits hold in total across
// processes: on a still clock no more than the budget is ever served. On a
// moving clock a token counted at t is served by t+TTL, so the GCRA's
// sliding bound can be exceeded by at most the tokens that refill in TTL
// (Enterprise, 3,000 a minute: 12 in 250 ms). The lease size adapts per
// key: it starts at 1, doubles (up to Max and to half of what the minute
// has left) while leases are used up within their TTL, and falls to what
// was used when one expires, so a slow key takes one token per Redis call
// and leaves nothing outstanding. A lease is tied to its minute bucket
// (which names the tier), its limits and its UTC day, so a tier change or
// a new day takes a new lease at once (the old one's rest is given back in
// the same call); Forget gives a key's lease back (for the key cache's
// invalidations). Other methods are the Limiter's.
type Leased struct {
	*Limiter
	max int64
	ttl time.Duration

	leases sync.Map // day bucket → *leaseEntry
	stop   chan struct{}
	done   chan struct{}
	closed sync.Once
}

var _ catalog.RateLimiter = (*Leased)(nil)

// leaseEntry is one key's current lease.
type leaseEntry struct {
	cur  atomic.Pointer[lease]   // nil: none
	no   atomic.Pointer[refusal] // the last refusal, nil: none
	mu   sync.Mutex              // held to replace cur
	want int64                   // next lease size (mu)
	dead bool                    // removed from the map (mu)
	idle time.Time               // when cur was last dropped (mu)
	key  string                  // its day bucket
}

// refusal is a key's last refusal, repeated without asking Redis until
// its retry time (at most a lease's TTL), so the requests of a key over
// its limit do not queue for a Redis call each.
type refusal struct {
	minuteBucket      string
	perMinute, perDay int64
	at, until         time.Time // limiter clock
	dayReset          time.Time
	minute, day       catalog.LimitResult
}

// answer is the refusal as of clock, when it still applies to these limits.
func (r *refusal) answer(minuteBucket string, perMinute, perDay int64, now, clock time.Time) (minute, day catalog.LimitResult, ok bool) {
	if r == nil || r.perMinute != perMinute || r.perDay != perDay || r.minuteBucket != minuteBucket ||
		!clock.Before(r.until) || !now.Before(r.dayReset) {
		return minute, day, false
	}
	minute, day = r.minute, r.day
	if minute.RetryAfter > 0 {
		minute.RetryAfter -= clock.Sub(r.at)
	}
	if day.RetryAfter > 0 {
		day.RetryAfter = r.dayReset.Sub(now)
	}
	return minute, day, true
}

// lease is a batch of tokens taken from Redis at once.
type lease struct {
	minuteBucket string
	minuteKey    string
	dayKey       string
	perMinute    int64
	perDay       int64
	n            int64        // tokens
	taken        atomic.Int64 // tokens handed out (may pass n: then none left)
	until        time.Time    // serves until then (limiter clock)
	dayReset     time.Time    // the UTC midnight that ends its day
	used         int64        // the day's counter after the lease was taken
	minRemaining int64        // the minute's remaining after the lease
	minReset     time.Time    // when the minute's budget is full again
}

// NewLeased serves l's TakeKey from leases; Close gives the outstanding
// leases back and closes l.
func NewLeased(l *Limiter, o LeaseOptions) *Leased {
	if o.Max <= 0 {
		o.Max = DefaultLeaseMax
	}
	if o.TTL <= 0 {
		o.TTL = DefaultLeaseTTL
	}
	x := &Leased{Limiter: l, max: o.Max, ttl: o.TTL, stop: make(chan struct{}), done: make(chan struct{})}
	go x.sweepLoop()
	return x
}

// Prefix is what every Redis key of l starts with.
func (l *Limiter) Prefix() string { return l.prefix }

// Close gives every outstanding lease back to Redis, then closes the
// limiter.
func (x *Leased) Close() error {
	x.closed.Do(func() {
		close(x.stop)
		<-x.done
		x.leases.Range(func(k, v any) bool {
			x.drop(context.Background(), v.(*leaseEntry), time.Time{}, true)
			return true
		})
	})
	return x.Limiter.Close()
}

// TakeKey is Limiter.TakeKey served from the key's lease (see Leased);
// day.Used is the request's own count in the day.
func (x *Leased) TakeKey(ctx context.Context, minuteBucket string, perMinute int64, dayBucket string, perDay int64, now time.Time) (minute, day catalog.LimitResult, err error) {
	if perMinute == catalog.Unlimited || perMinute <= 0 {
		return x.Limiter.TakeKey(ctx, minuteBucket, perMinute, dayBucket, perDay, now)
	}
	clock := x.now()
	v, ok := x.leases.Load(dayBucket)
	if !ok {
		v, _ = x.leases.LoadOrStore(dayBucket, &leaseEntry{want: 1, key: dayBucket})
	}
	e := v.(*leaseEntry)
	if ls := e.cur.Load(); ls != nil && ls.fits(minuteBucket, perMinute, perDay, now, clock) {
		if i := ls.taken.Add(1); i <= ls.n {
			minute, day = ls.result(i)
			return minute, day, nil
		}
	}
	if minute, day, ok := e.no.Load().answer(minuteBucket, perMinute, perDay, now, clock); ok {
		return minute, day, nil
	}
	e.mu.Lock()
	if e.dead { // swept meanwhile: start over on the map's new entry
		e.mu.Unlock()
		return x.TakeKey(ctx, minuteBucket, perMinute, dayBucket, perDay, now)
	}
	defer e.mu.Unlock()
	old := e.cur.Load()
	if old != nil && old.fits(minuteBucket, perMinute, perDay, now, clock) {
		if i := old.taken.Add(1); i <= old.n { // another caller's new lease
			minute, day = old.result(i)
			return minute, day, nil
		}
	}
	if minute, day, ok := e.no.Load().answer(minuteBucket, perMinute, perDay, now, clock); ok {
		return minute, day, nil // another caller's refusal
	}
	// retire the old lease: its rest goes back in the new lease's call
	var back int64
	want := e.want
	if old != nil {
		back = old.retire()
		switch {
		case back == 0 && clock.Before(old.until):
			want = min(2*old.n, x.max) // used up in time: take more
		default:
			want = max(old.n-back, 1) // expired: what was used
		}
		e.cur.Store(nil)
	}
	e.want = want
	ls, minute, day, err := x.take(ctx, old, back, minuteBucket, perMinute, dayBucket, perDay, want, now, clock)
	if err != nil || ls == nil {
		e.idle = clock
		if err == nil {
			retry := max(minute.RetryAfter, day.RetryAfter)
			e.no.Store(&refusal{minuteBucket: minuteBucket, perMinute: perMinute, perDay: perDay, at: clock,
				until: clock.Add(min(retry, x.ttl)), dayReset: catalog.NextMidnightUTC(now), minute: minute, day: day})
		}
		return minute, day, err
	}
	ls.taken.Store(1)
	e.cur.Store(ls)
	minute, day = ls.result(1)
	return minute, day, nil
}

// UsedToday is Limiter.UsedToday less the tokens this process holds in
// leases for those days (counted in Redis, not yet served), so a key's
// count is what was served, but for other processes' leases (TTL at most).
func (x *Leased) UsedToday(ctx context.Context, buckets []string, now time.Time) ([]int64, error) {
	used, err := x.Limiter.UsedToday(ctx, buckets, now)
	if err != nil {
		return nil, err
	}
	reset := catalog.NextMidnightUTC(now)
	for i, b := range buckets {
		v, ok := x.leases.Load(b)
		if !ok {
			continue
		}
		if ls := v.(*leaseEntry).cur.Load(); ls != nil && ls.dayReset.Equal(reset) {
			used[i] = max(used[i]-max(ls.n-ls.taken.Load(), 0), 0)
		}
	}
	return used, nil
}

// fits reports whether the lease serves a request for these limits now.
func (ls *lease) fits(minuteBucket string, perMinute, perDay int64, now, clock time.Time) bool {
	return ls.perMinute == perMinute && ls.perDay == perDay && ls.minuteBucket == minuteBucket &&
		clock.Before(ls.until) && now.Before(ls.dayReset) && !now.Before(ls.dayReset.Add(-24*time.Hour))
}

// retire makes the lease serve nothing more and returns how many of its
// tokens were not handed out.
func (ls *lease) retire() int64 {
	taken := ls.taken.Swap(1 << 62)
	return max(ls.n-taken, 0)
}

// result is the budgets as seen by the request that took token i (1-based).
func (ls *lease) result(i int64) (minute, day catalog.LimitResult) {
	minute = catalog.LimitResult{Allowed: true, Limit: ls.perMinute, Remaining: ls.minRemaining + ls.n - i, Reset: ls.minReset}
	used := ls.used - ls.n + i
	day = catalog.LimitResult{Allowed: true, Limit: ls.perDay, Used: used, Reset: ls.dayReset, Remaining: catalog.Unlimited}
	if ls.perDay >= 0 {
		day.Remaining = max(ls.perDay-used, 0)
	}
	return minute, day
}

// giveBackLua gives back unused tokens of a lease: back to the GCRA on
// kmin (e0: its emission interval; the arrival time moves back, never
// before now) and to the day's counter on kday.
const giveBackLua = `
local function give_back(kmin, kday, back, e0, now)
  if back <= 0 then
    return
  end
  local t0 = tonumber(redis.call('GET', kmin) or '0')
  if t0 > now then
    local t1 = math.max(t0 - back * e0, now)
    redis.call('SET', kmin, string.format('%.6f', t1), 'EX', math.max(1, math.ceil(t1 - now)))
  end
  local u0 = tonumber(redis.call('GET', kday) or '0')
  if u0 > 0 then
    redis.call('DECRBY', kday, math.min(back, u0))
  end
end
`

// giveBack runs give_back on KEYS[1], KEYS[2] with ARGV back, emission,
// now.
var giveBack = redis.NewScript(giveBackLua + `
give_back(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return 1
`)

// leaseKey takes up to ARGV[4] tokens from the GCRA on KEYS[1] (as
// takeKey: ARGV[1] burst, ARGV[2] emission, ARGV[3] now) and as many from
// the day's counter on KEYS[2] (ARGV[5] limit, < 0 none; ARGV[6] TTL),
// never more than half of what the minute has left (at least 1), after
// giving ARGV[7] unused tokens of an older lease back to KEYS[3] and
// KEYS[4] (ARGV[8] its emission). The arrival time is kept to the
// microsecond. It returns {granted, minute remaining after, retry_after,
// reset_after, day allowed (-1: the minute refused), day used}; when the
// day refuses, nothing is taken from the minute.
var leaseKey = redis.NewScript(giveBackLua + `
local now = tonumber(ARGV[3])
give_back(KEYS[3], KEYS[4], tonumber(ARGV[7]), tonumber(ARGV[8]), now)
local burst = tonumber(ARGV[1])
local emission = tonumber(ARGV[2])
local want = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
tat = math.max(tat, now)
local avail = math.floor(burst + (now - tat) / emission + 1e-3)
if avail < 1 then
  return {0, 0, string.format('%.6f', tat + emission - emission * burst - now), string.format('%.6f', tat - now), -1, 0}
end
local n = math.min(want, math.max(1, math.floor(avail / 2)))
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if limit >= 0 then
  n = math.min(n, limit - used)
  if n < 1 then
    return {0, avail, '-1', string.format('%.6f', tat - now), 0, used}
  end
end
local new_tat = tat + n * emission
redis.call('SET', KEYS[1], string.format('%.6f', new_tat), 'EX', math.ceil(new_tat - now))
used = redis.call('INCRBY', KEYS[2], n)
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {n, avail - n, '-1', string.format('%.6f', new_tat - now), 1, used}
`)

// take runs leaseKey: a new lease, or nil and the refusal.
func (x *Leased) take(ctx context.Context, old *lease, back int64, minuteBucket string, perMinute int64, dayBucket string, perDay, want int64, now, clock time.Time) (*lease, catalog.LimitResult, catalog.LimitResult, error) {
	var minute, day catalog.LimitResult
	reset := catalog.NextMidnightUTC(now)
	ttl := int64(reset.Sub(now)/time.Second) + 3600
	emission := time.Minute.Seconds() / float64(perMinute)
	ls := &lease{minuteBucket: minuteBucket, minuteKey: x.prefix + "min:" + minuteBucket, dayKey: x.dayKey(dayBucket, now),
		perMinute: perMinute, perDay: perDay, until: clock.Add(x.ttl), dayReset: reset}
	oldMin, oldDay, oldEmission := ls.minuteKey, ls.dayKey, emission
	if old != nil && back > 0 {
		oldMin, oldDay, oldEmission = old.minuteKey, old.dayKey, time.Minute.Seconds()/float64(old.perMinute)
	} else {
		back = 0
	}
	v, err := x.calls.run(ctx, x.rdb, x.rdb.Pipeline, leaseKey, []string{ls.minuteKey, ls.dayKey, oldMin, oldDay},
		perMinute, strconv.FormatFloat(emission, 'f', -1, 64), strconv.FormatFloat(clock.Sub(gcraEpoch).Seconds(), 'f', 6, 64),
		want, perDay, ttl, back, strconv.FormatFloat(oldEmission, 'f', -1, 64)).Slice()
	if err != nil {
		return nil, minute, day, catalog.Unavailable(fmt.Errorf("ratelimit: lease key: %w", err))
	}
	if len(v) != 6 {
		return nil, minute, day, catalog.Unavailable(fmt.Errorf("ratelimit: lease key: %d values", len(v)))
	}
	ints := [4]int64{}
	for i, j := range []int{0, 1, 4, 5} {
		n, ok := v[j].(int64)
		if !ok {
			return nil, minute, day, catalog.Unavailable(fmt.Errorf("ratelimit: lease key: value %d is %T", j, v[j]))
		}
		ints[i] = n
	}
	granted, remaining, dayOK, used := ints[0], ints[1], ints[2], ints[3]
	minReset := clock.Add(seconds(v[3]))
	if dayOK < 0 {
		minute = catalog.LimitResult{Limit: perMinute, Reset: minReset}
		if retry := seconds(v[2]); retry > 0 {
			minute.RetryAfter = retry
		}
		return nil, minute, day, nil
	}
	if granted < 1 {
		minute = catalog.LimitResult{Allowed: true, Limit: perMinute, Remaining: remaining, Reset: minReset}
		day = catalog.LimitResult{Limit: perDay, Used: used, Reset: reset, RetryAfter: reset.Sub(now)}
		return nil, minute, day, nil
	}
	ls.n, ls.used, ls.minRemaining, ls.minReset = granted, used, remaining, minReset
	return ls, minute, day, nil
}

// Forget gives dayBucket's lease back to Redis now (an API key's budgets
// changed, or it was revoked).
func (x *Leased) Forget(ctx context.Context, dayBucket string) {
	if v, ok := x.leases.Load(dayBucket); ok {
		x.drop(ctx, v.(*leaseEntry), time.Time{}, false)
	}
}

// drop retires e's lease and gives its rest back: any lease, or with
// expired set only one whose TTL is over then; remove also takes e out of
// the map.
func (x *Leased) drop(ctx context.Context, e *leaseEntry, expired time.Time, remove bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ls := e.cur.Load(); ls != nil && (expired.IsZero() || !expired.Before(ls.until)) {
		e.cur.Store(nil)
		e.idle = x.now()
		if back := ls.retire(); back > 0 {
			// a failure leaves the tokens spent: the limits still hold
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), execTimeout)
			defer cancel()
			_ = giveBack.Run(ctx, x.rdb, []string{ls.minuteKey, ls.dayKey}, back,
				strconv.FormatFloat(time.Minute.Seconds()/float64(ls.perMinute), 'f', -1, 64),
				strconv.FormatFloat(x.now().Sub(gcraEpoch).Seconds(), 'f', 6, 64)).Err()
		}
	}
	if remove && !e.dead {
		e.dead = true
		x.leases.CompareAndDelete(e.key, e)
	}
}

// sweepLoop gives expired leases back every TTL, and takes keys idle for
// a minute out of the map.
func (x *Leased) sweepLoop() {
	defer close(x.done)
	t := time.NewTicker(x.ttl)
	defer t.Stop()
	for {
		select {
		case <-x.stop:
			return
		case <-t.C:
		}
		clock := x.now()
		x.leases.Range(func(_, v any) bool {
			e := v.(*leaseEntry)
			x.drop(context.Background(), e, clock, false)
			e.mu.Lock()
			idle := e.cur.Load() == nil && !e.idle.IsZero() && clock.Sub(e.idle) > time.Minute
			e.mu.Unlock()
			if idle {
				x.drop(context.Background(), e, time.Time{}, true)
			}
			return true
		})
	}
}
