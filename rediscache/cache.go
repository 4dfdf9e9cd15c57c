// Package rediscache is a byte-value cache over Redis for the services'
// pre-computed payloads (pricing.Cache).
package rediscache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cache gets and sets values in Redis.
type Cache struct{ rdb redis.UniversalClient }

// New returns a cache over rdb.
func New(rdb redis.UniversalClient) *Cache { return &Cache{rdb: rdb} }

// Get returns the value of key; ok false when missing.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := c.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache get %s: %w", key, err)
	}
	return b, true, nil
}

// Set stores val under key for ttl.
func (c *Cache) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if err := c.rdb.Set(ctx, key, val, ttl).Err(); err != nil {
		return fmt.Errorf("cache set %s: %w", key, err)
	}
	return nil
}
