// Package ratelimit keeps request budgets in Redis, shared by every API
// process: per-minute limits with GCRA (github.com/go-redis/redis_rate) and
// daily counters in calendar windows that reset at midnight UTC.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
)

// Limiter implements catalog.RateLimiter on Redis.
type Limiter struct {
	rdb    *redis.Client
	gcra   *redis_rate.Limiter
	prefix string
	owned  bool
}

var _ catalog.RateLimiter = (*Limiter)(nil)

// New uses rdb; every Redis key starts with prefix, so tests and
// deployments sharing a Redis stay apart.
func New(rdb *redis.Client, prefix string) *Limiter {
	return &Limiter{rdb: rdb, gcra: redis_rate.NewLimiter(rdb), prefix: prefix}
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

// AllowMinute runs GCRA with a burst of perMinute: a full budget allows
// perMinute requests at once, then one every minute/perMinute. The Lua
// script runs atomically in Redis on Redis's clock, so the limit holds
// across processes.
func (l *Limiter) AllowMinute(ctx context.Context, bucket string, perMinute int64) (catalog.LimitResult, error) {
	now := time.Now()
	if perMinute == catalog.Unlimited {
		return catalog.LimitResult{Allowed: true, Limit: catalog.Unlimited, Remaining: catalog.Unlimited, Reset: now}, nil
	}
	if perMinute <= 0 {
		return catalog.LimitResult{Limit: 0, Reset: now.Add(time.Minute), RetryAfter: time.Minute}, nil
	}
	res, err := l.gcra.Allow(ctx, l.prefix+"min:"+bucket, redis_rate.PerMinute(int(perMinute)))
	if err != nil {
		return catalog.LimitResult{}, catalog.Unavailable(fmt.Errorf("ratelimit: allow minute: %w", err))
	}
	out := catalog.LimitResult{
		Allowed:   res.Allowed > 0,
		Limit:     perMinute,
		Remaining: int64(res.Remaining),
		Reset:     now.Add(res.ResetAfter),
	}
	if !out.Allowed && res.RetryAfter > 0 {
		out.RetryAfter = res.RetryAfter
	}
	return out, nil
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
