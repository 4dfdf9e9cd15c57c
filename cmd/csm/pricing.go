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
// published on the real-time channels, through the process's Redis client.
func pricingDeps(cfg *config, rdb *redis.Client, db *postgres.DB) *pricing.Service {
	return pricing.New(db, pricing.Options{
		Cache:  rediscache.New(rdb),
		Events: realtime.NewPublisher(rdb, cfg.RealtimePrefix),
		Prefix: cfg.PricingPrefix,
	})
}
