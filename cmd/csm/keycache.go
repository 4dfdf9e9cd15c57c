package main

import (
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/keycache"
	"github.com/collectorstash/csm/postgres"
)

// keyCacheDeps wraps db's key and account stores with the in-process API
// key cache, whose invalidations travel on Redis under the rate limiter's
// prefix, so every process of a deployment shares them.
// CSM_KEY_CACHE_TTL (30s) is how long a lookup is kept; "0s" turns the
// cache off. publishOnly (the CLI's account commands) keeps nothing but
// publishes: `csm user set-tier` is seen by every API process at once.
// It uses the process's Redis client rdb; Close the cache when done.
func keyCacheDeps(cfg *config, rdb *redis.Client, db *postgres.DB, publishOnly bool) *keycache.Cache {
	ttl := cfg.KeyCacheTTL
	return keycache.New(db, db, rdb, keycache.Options{
		Prefix: cfg.RateLimitPrefix, TTL: ttl, PublishOnly: publishOnly || ttl <= 0, Log: slog.Default(),
	})
}

// cliKeyCache is the publishing key cache of a one-shot account command,
// on a Redis client of its own; stop closes both.
func cliKeyCache(cfg *config, db *postgres.DB) (cache *keycache.Cache, stop func()) {
	rdb := openRedis(cfg)
	cache = keyCacheDeps(cfg, rdb, db, true)
	return cache, func() {
		_ = cache.Close()
		_ = rdb.Close()
	}
}
