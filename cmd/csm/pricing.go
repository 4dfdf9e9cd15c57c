package main

import (
	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/pricing"
	"github.com/collectorstash/csm/realtime"
	"github.com/collectorstash/csm/rediscache"
)

// pricingDeps builds the pricing service: market payloads cached in Redis
// under CSM_PRICING_PREFIX (csm:pricing:), movers and prices_refreshed
// published on the real-time channels. stop closes the Redis client.
func pricingDeps(cfg *config, db *postgres.DB) (*pricing.Service, func()) {
	rdb := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr})
	svc := pricing.New(db, pricing.Options{
		Cache:  rediscache.New(rdb),
		Events: realtime.NewPublisher(rdb, env("CSM_REALTIME_PREFIX", realtime.DefaultPrefix)),
		Prefix: env("CSM_PRICING_PREFIX", "csm:pricing:"),
	})
	return svc, func() { _ = rdb.Close() }
}
