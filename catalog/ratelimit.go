package catalog

import (
	"context"
	"time"
)

// LimitResult is the outcome of one limiter call.
type LimitResult struct {
	Allowed bool
	// Limit and Remaining describe the budget after the call.
	Limit     int64
	Remaining int64
	// Used is the count so far in the window (daily windows).
	Used int64
	// Reset is when the budget is whole again; RetryAfter how long a denied
	// caller waits (0 when allowed).
	Reset      time.Time
	RetryAfter time.Duration
}

// RateLimiter keeps request budgets in storage shared by every API process.
// Buckets are opaque names ("key:17", "ip:10.0.0.1", …).
type RateLimiter interface {
	// AllowMinute takes one request from bucket's budget of perMinute
	// requests a minute.
	AllowMinute(ctx context.Context, bucket string, perMinute int64) (LimitResult, error)
	// TakeDaily takes n from bucket's budget for the UTC day of now, all or
	// nothing: denied (and nothing taken) when used+n would exceed limit.
	// limit Unlimited counts without denying. The budget resets at midnight UTC.
	TakeDaily(ctx context.Context, bucket string, n, limit int64, now time.Time) (LimitResult, error)
	// TakeKey applies an API key's two budgets in one call: one request
	// from minuteBucket's perMinute (as AllowMinute) and, only when that
	// allows it, one from dayBucket's perDay for the UTC day of now (as
	// TakeDaily). day is the zero LimitResult when the minute refused.
	TakeKey(ctx context.Context, minuteBucket string, perMinute int64, dayBucket string, perDay int64, now time.Time) (minute, day LimitResult, err error)
	// UsedToday returns each bucket's count for the UTC day of now.
	UsedToday(ctx context.Context, buckets []string, now time.Time) ([]int64, error)
}

// NextMidnightUTC is when the day of now ends, in UTC.
func NextMidnightUTC(now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}
