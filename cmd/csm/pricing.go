package main

import (
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/pricing"
	"github.com/collectorstash/csm/realtime"
	"github.com/collectorstash/csm/rediscache"
)

// pricingDeps builds the pricing service: market payloads cached in Redis
// under CSM_PRICING_PREFIX (csm:pricing:), movers and prices_refreshed
// published on the real-time channels. stop closes the Redis client.
func pricingDeps(cfg *config, db *postgres.DB) (*pricing.Service, func()) {
	rdb := openRedis(cfg)
	svc := pricing.New(db, pricing.Options{
		Cache:  rediscache.New(rdb),
		Events: realtime.NewPublisher(rdb, cfg.RealtimePrefix),
		Prefix: cfg.PricingPrefix,
	})
	return svc, func() { _ = rdb.Close() }
}
