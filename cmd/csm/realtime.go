package main

import (
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/realtime"
	"github.com/collectorstash/csm/workers"
)

// realtimeDeps wires the real-time API to Redis for `csm serve`: the hub
// (one pub/sub connection per process; scan sessions' events relayed as
// scan:<session>), the cross-process connection counter, and the publisher
// of price_update events set on db. CSM_REALTIME_PREFIX names the channels
// (csm:rt:), CSM_STREAM_HEARTBEAT the ping interval (25s). stop closes
// every connection (1001) and the Redis client.
func realtimeDeps(cfg *config, db *postgres.DB) (hub *realtime.Hub, conns *realtime.Conns, heartbeat time.Duration, stop func()) {
	prefix := env("CSM_REALTIME_PREFIX", realtime.DefaultPrefix)
	heartbeat = envDuration("CSM_STREAM_HEARTBEAT", catalog.StreamHeartbeat)
	rdb := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr})
	hub = realtime.NewHub(rdb, realtime.HubOptions{Prefix: prefix, ScanPrefix: workers.ScanEventsPrefix, Log: slog.Default()})
	conns = realtime.NewConns(rdb, prefix, 3*heartbeat)
	db.Events = realtime.NewPublisher(rdb, prefix)
	return hub, conns, heartbeat, func() {
		_ = hub.Close()
		_ = rdb.Close()
	}
}

// withPriceEvents makes db publish price_update events (the importers).
func withPriceEvents(cfg *config, db *postgres.DB) (stop func()) {
	rdb := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr})
	db.Events = realtime.NewPublisher(rdb, env("CSM_REALTIME_PREFIX", realtime.DefaultPrefix))
	return func() { _ = rdb.Close() }
}
