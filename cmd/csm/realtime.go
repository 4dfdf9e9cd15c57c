package main

import (
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/realtime"
	"github.com/collectorstash/csm/workers"
)

// realtimeDeps wires the real-time API to Redis for `csm serve`: the hub
// (one pub/sub connection per process; scan sessions' events relayed as
// scan:<session>), the cross-process connection counter, and the publisher
// of price_update events set on db. CSM_REALTIME_PREFIX names the channels
// (csm:rt:), CSM_STREAM_HEARTBEAT the ping interval (25s). stop closes
// every connection (1001); the Redis client is the caller's.
func realtimeDeps(cfg *config, rdb redis.UniversalClient, db *postgres.DB) (hub *realtime.Hub, conns *realtime.Conns, heartbeat time.Duration, stop func()) {
	heartbeat = cfg.StreamHeartbeat
	hub = realtime.NewHub(rdb, realtime.HubOptions{Prefix: cfg.RealtimePrefix, ScanPrefix: workers.ScanEventsPrefix, Log: slog.Default()})
	conns = realtime.NewConns(rdb, cfg.RealtimePrefix, 3*heartbeat)
	db.Events = realtime.NewPublisher(rdb, cfg.RealtimePrefix)
	return hub, conns, heartbeat, func() { _ = hub.Close() }
}

// withPriceEvents makes db publish price_update events (the importers).
func withPriceEvents(cfg *config, db *postgres.DB) (stop func()) {
	rdb := openRedis(cfg)
	db.Events = realtime.NewPublisher(rdb, cfg.RealtimePrefix)
	return func() { _ = rdb.Close() }
}
