// Package ratelimit keeps request budgets in Redis, shared by every API
// process: per-minute limits with GCRA (the algorithm of
// github.com/go-redis/redis_rate, on the limiter's clock) and daily counters
// in calendar windows that reset at midnight UTC.
package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
)

// Limiter implements catalog.RateLimiter on Redis.
type Limiter struct {
	rdb    *redis.Client
	prefix string
	owned  bool
	now    func() time.Time
	// calls coalesces concurrent AllowMinute and TakeKey calls into
	// pipelines (see coalescer).
	calls coalescer
}

var _ catalog.RateLimiter = (*Limiter)(nil)

// New uses rdb; every Redis key starts with prefix, so tests and
// deployments sharing a Redis stay apart.
func New(rdb *redis.Client, prefix string) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix, now: time.Now}
}

// WithClock makes the limiter read time from now (tests freeze and advance
// it); every process sharing a Redis should use the same wall clock.
func (l *Limiter) WithClock(now func() time.Time) *Limiter {
	l.now = now
	return l
}

// Coalesced returns how many AllowMinute and TakeKey script calls were made
// and in how many Redis round trips they went (fewer when concurrent calls
// shared a pipeline).
func (l *Limiter) Coalesced() (calls, roundTrips int64) {
	return l.calls.calls.Load(), l.calls.trips.Load()
}

// Open connects to the Redis at addr; Close releases it.
func Open(addr, prefix string) *Limiter {
	l := New(redis.NewClient(&redis.Options{Addr: addr}), prefix)
	l.owned = true
	return l
}

// Close closes the connection when Open made it.
func (l *Limiter) Close() error {
	if l.owned {
		return l.rdb.Close()
	}
	return nil
}

// Ping reports whether Redis answers.
func (l *Limiter) Ping(ctx context.Context) error {
	if err := l.rdb.Ping(ctx).Err(); err != nil {
		return catalog.Unavailable(fmt.Errorf("ratelimit: ping: %w", err))
	}
	return nil
}

// gcraEpoch is subtracted from times given to the GCRA script so that
// seconds keep microsecond precision in a Lua double.
var gcraEpoch = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)

// gcra is redis_rate's GCRA with the time passed in (ARGV[3], seconds since
// gcraEpoch): KEYS[1] holds the theoretical arrival time. It returns
// {allowed, remaining, retry_after, reset_after}.
var gcra = redis.NewScript(`
local burst = tonumber(ARGV[1])
local emission = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
tat = math.max(tat, now)
local new_tat = tat + emission
local diff = now - (new_tat - emission * burst)
local remaining = diff / emission
if remaining < 0 then
  return {0, 0, tostring(-diff), tostring(tat - now)}
end
local reset_after = new_tat - now
if reset_after > 0 then
  redis.call('SET', KEYS[1], tostring(new_tat), 'EX', math.ceil(reset_after))
end
return {1, remaining, '-1', tostring(reset_after)}
`)

// AllowMinute runs GCRA with a burst of perMinute: a full budget allows
// perMinute requests at once, then one every minute/perMinute. The Lua
// script runs atomically in Redis, so the limit holds across processes.
func (l *Limiter) AllowMinute(ctx context.Context, bucket string, perMinute int64) (catalog.LimitResult, error) {
	now := l.now()
	if perMinute == catalog.Unlimited {
		return catalog.LimitResult{Allowed: true, Limit: catalog.Unlimited, Remaining: catalog.Unlimited, Reset: now}, nil
	}
	if perMinute <= 0 {
		return catalog.LimitResult{Limit: 0, Reset: now.Add(time.Minute), RetryAfter: time.Minute}, nil
	}
	emission := time.Minute.Seconds() / float64(perMinute)
	at := now.Sub(gcraEpoch).Seconds()
	v, err := l.calls.run(ctx, l.rdb, l.rdb.Pipeline, gcra, []string{l.prefix + "min:" + bucket}, perMinute,
		strconv.FormatFloat(emission, 'f', -1, 64), strconv.FormatFloat(at, 'f', 6, 64)).Slice()
	if err != nil || len(v) != 4 {
		return catalog.LimitResult{}, catalog.Unavailable(fmt.Errorf("ratelimit: allow minute: %w (%v)", err, v))
	}
	allowed, _ := v[0].(int64)
	remaining, _ := v[1].(int64)
	retry, reset := seconds(v[2]), seconds(v[3])
	out := catalog.LimitResult{
		Allowed:   allowed > 0,
		Limit:     perMinute,
		Remaining: remaining,
		Reset:     now.Add(reset),
	}
	if !out.Allowed && retry > 0 {
		out.RetryAfter = retry
	}
	return out, nil
}

// seconds reads a duration the GCRA script returned as a decimal string.
func seconds(v any) time.Duration {
	s, _ := v.(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// takeDaily adds n to today's counter unless that passes the limit
// (limit < 0: no limit), and keeps the counter until the day is over.
var takeDaily = redis.NewScript(`
local n = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if limit >= 0 and used + n > limit then
  return {0, used}
end
used = redis.call('INCRBY', KEYS[1], n)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, used}
`)

func (l *Limiter) dayKey(bucket string, now time.Time) string {
	return l.prefix + "day:" + now.UTC().Format("20060102") + ":" + bucket
}

// TakeDaily takes n from the bucket's budget for the UTC day of now. The
// day is part of the Redis key, so a new day starts from zero whatever the
// clock says; counters expire an hour after their day ends.
func (l *Limiter) TakeDaily(ctx context.Context, bucket string, n, limit int64, now time.Time) (catalog.LimitResult, error) {
	reset := catalog.NextMidnightUTC(now)
	ttl := int64(reset.Sub(now)/time.Second) + 3600
	v, err := takeDaily.Run(ctx, l.rdb, []string{l.dayKey(bucket, now)}, n, limit, ttl).Int64Slice()
	if err != nil {
		return catalog.LimitResult{}, catalog.Unavailable(fmt.Errorf("ratelimit: take daily: %w", err))
	}
	out := catalog.LimitResult{Allowed: v[0] == 1, Limit: limit, Used: v[1], Reset: reset, Remaining: catalog.Unlimited}
	if limit >= 0 {
		out.Remaining = max(limit-v[1], 0)
	}
	if !out.Allowed {
		out.RetryAfter = reset.Sub(now)
	}
	return out, nil
}

// UsedToday reads the buckets' counters for the UTC day of now.
func (l *Limiter) UsedToday(ctx context.Context, buckets []string, now time.Time) ([]int64, error) {
	out := make([]int64, len(buckets))
	if len(buckets) == 0 {
		return out, nil
	}
	keys := make([]string, len(buckets))
	for i, b := range buckets {
		keys[i] = l.dayKey(b, now)
	}
	vals, err := l.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, catalog.Unavailable(fmt.Errorf("ratelimit: used today: %w", err))
	}
	for i, v := range vals {
		if s, ok := v.(string); ok {
			_, _ = fmt.Sscan(s, &out[i])
		}
	}
	return out, nil
}

// takeKey is an API key's two budgets in one round trip: the GCRA of the
// gcra script on KEYS[1] (the key AllowMinute uses, so both share its
// state), then, only when that allows, the daily counter of takeDaily on
// KEYS[2]. ARGV: burst, emission interval, now (as gcra), n, day limit, day
// TTL. It returns the GCRA's {allowed, remaining, retry_after, reset_after}
// and the day's {allowed, used} ({-1, 0} when the minute refused and the
// day was not touched).
var takeKey = redis.NewScript(`
local burst = tonumber(ARGV[1])
local emission = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
tat = math.max(tat, now)
local new_tat = tat + emission
local diff = now - (new_tat - emission * burst)
local remaining = diff / emission
if remaining < 0 then
  return {0, 0, tostring(-diff), tostring(tat - now), -1, 0}
end
local reset_after = new_tat - now
if reset_after > 0 then
  redis.call('SET', KEYS[1], tostring(new_tat), 'EX', math.ceil(reset_after))
end
local n = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if limit >= 0 and used + n > limit then
  return {1, remaining, '-1', tostring(reset_after), 0, used}
end
used = redis.call('INCRBY', KEYS[2], n)
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {1, remaining, '-1', tostring(reset_after), 1, used}
`)

// TakeKey applies an API key's budgets in one Redis call: one request from
// minuteBucket's perMinute (as AllowMinute) and, when that allows it, one
// from dayBucket's perDay for the UTC day of now (as TakeDaily). day is
// the zero LimitResult when the minute refused.
func (l *Limiter) TakeKey(ctx context.Context, minuteBucket string, perMinute int64, dayBucket string, perDay int64, now time.Time) (minute, day catalog.LimitResult, err error) {
	if perMinute == catalog.Unlimited || perMinute <= 0 {
		if minute, err = l.AllowMinute(ctx, minuteBucket, perMinute); err != nil || !minute.Allowed {
			return minute, day, err
		}
		day, err = l.TakeDaily(ctx, dayBucket, 1, perDay, now)
		return minute, day, err
	}
	reset := catalog.NextMidnightUTC(now)
	ttl := int64(reset.Sub(now)/time.Second) + 3600
	clock := l.now()
	emission := time.Minute.Seconds() / float64(perMinute)
	v, err := l.calls.run(ctx, l.rdb, l.rdb.Pipeline, takeKey, []string{l.prefix + "min:" + minuteBucket, l.dayKey(dayBucket, now)},
		perMinute, strconv.FormatFloat(emission, 'f', -1, 64), strconv.FormatFloat(clock.Sub(gcraEpoch).Seconds(), 'f', 6, 64),
		1, perDay, ttl).Slice()
	if err != nil {
		return minute, day, catalog.Unavailable(fmt.Errorf("ratelimit: take key: %w", err))
	}
	if len(v) != 6 {
		return minute, day, catalog.Unavailable(fmt.Errorf("ratelimit: take key: %d values", len(v)))
	}
	ints := [4]int64{}
	for i, j := range []int{0, 1, 4, 5} {
		n, ok := v[j].(int64)
		if !ok {
			return minute, day, catalog.Unavailable(fmt.Errorf("ratelimit: take key: value %d is %T", j, v[j]))
		}
		ints[i] = n
	}
	minute = catalog.LimitResult{
		Allowed: ints[0] > 0, Limit: perMinute, Remaining: ints[1],
		Reset: clock.Add(seconds(v[3])),
	}
	if !minute.Allowed {
		if retry := seconds(v[2]); retry > 0 {
			minute.RetryAfter = retry
		}
		return minute, day, nil
	}
	day = catalog.LimitResult{Allowed: ints[2] == 1, Limit: perDay, Used: ints[3], Reset: reset, Remaining: catalog.Unlimited}
	if perDay >= 0 {
		day.Remaining = max(perDay-ints[3], 0)
	}
	if !day.Allowed {
		day.RetryAfter = reset.Sub(now)
	}
	return minute, day, nil
}
