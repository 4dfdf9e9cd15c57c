package main

import (
	"log/slog"

	"github.com/collectorstash/csm/keycache"
	"github.com/collectorstash/csm/postgres"
)

// keyCacheDeps wraps db's key and account stores with the in-process API
// key cache, whose invalidations travel on Redis under the rate limiter's
// prefix, so every process of a deployment shares them.
// CSM_KEY_CACHE_TTL (30s) is how long a lookup is kept; "0s" turns the
// cache off. publishOnly (the CLI's account commands) keeps nothing but
// publishes: `csm user set-tier` is seen by every API process at once.
// stop closes it and its Redis client.
func keyCacheDeps(cfg *config, db *postgres.DB, publishOnly bool) (cache *keycache.Cache, stop func()) {
	rdb := openRedis(cfg)
	ttl := cfg.KeyCacheTTL
	cache = keycache.New(db, db, rdb, keycache.Options{
		Prefix: cfg.RateLimitPrefix, TTL: ttl, PublishOnly: publishOnly || ttl <= 0, Log: slog.Default(),
	})
	return cache, func() {
		_ = cache.Close()
		_ = rdb.Close()
	}
}
