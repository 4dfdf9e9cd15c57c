package realtime

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
)

// Conns implements catalog.ConnLimiter with one sorted set per bucket:
// members are connection ids, scores their expiry (Unix ms). Acquire drops
// expired members first, so a crashed process's connections stop counting
// after TTL.
type Conns struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

var _ catalog.ConnLimiter = (*Conns)(nil)

// NewConns counts on rdb under prefix ("" = DefaultPrefix); a connection
// not refreshed for ttl expires.
func NewConns(rdb redis.UniversalClient, prefix string, ttl time.Duration) *Conns {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Conns{rdb: rdb, prefix: prefix + "conns:", ttl: ttl}
}

var acquireScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`)

// Acquire registers id under bucket unless it holds limit live ids.
func (c *Conns) Acquire(ctx context.Context, bucket, id string, limit int) (bool, error) {
	now := time.Now()
	n, err := acquireScript.Run(ctx, c.rdb, []string{c.prefix + bucket},
		now.UnixMilli(), now.Add(c.ttl).UnixMilli(), id, limit, c.ttl.Milliseconds()).Int()
	if err != nil {
		return false, catalog.Unavailable(fmt.Errorf("realtime: acquire conn: %w", err))
	}
	return n == 1, nil
}

// Refresh pushes id's expiry forward by the TTL.
func (c *Conns) Refresh(ctx context.Context, bucket, id string) error {
	key := c.prefix + bucket
	pipe := c.rdb.Pipeline()
	pipe.ZAddXX(ctx, key, redis.Z{Score: float64(time.Now().Add(c.ttl).UnixMilli()), Member: id})
	pipe.PExpire(ctx, key, c.ttl)
	if _, err := pipe.Exec(ctx); err != nil {
		return catalog.Unavailable(fmt.Errorf("realtime: refresh conn: %w", err))
	}
	return nil
}

// RefreshMany pushes every conn's expiry forward by the TTL in one
// pipeline.
func (c *Conns) RefreshMany(ctx context.Context, conns []catalog.ConnRef) error {
	if len(conns) == 0 {
		return nil
	}
	score := float64(time.Now().Add(c.ttl).UnixMilli())
	pipe := c.rdb.Pipeline()
	seen := map[string]bool{}
	for _, r := range conns {
		key := c.prefix + r.Bucket
		pipe.ZAddXX(ctx, key, redis.Z{Score: score, Member: r.ID})
		if !seen[key] {
			seen[key] = true
			pipe.PExpire(ctx, key, c.ttl)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return catalog.Unavailable(fmt.Errorf("realtime: refresh conns: %w", err))
	}
	return nil
}

// Release removes id from bucket.
func (c *Conns) Release(ctx context.Context, bucket, id string) error {
	if err := c.rdb.ZRem(ctx, c.prefix+bucket, id).Err(); err != nil {
		return catalog.Unavailable(fmt.Errorf("realtime: release conn: %w", err))
	}
	return nil
}
