package main

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/postgres"
)

// openDB connects to Postgres and applies pending migrations.
func openDB(ctx context.Context, cfg *config) (*postgres.DB, error) {
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// openRedis builds the one Redis client of the process from CSM_REDIS_URL
// (password, TLS, DB number): asynq, the rate limiter, pub/sub and the
// stream all share it. It does not connect yet (the limiter and the queue
// report Redis outages themselves).
func openRedis(cfg *config) *redis.Client {
	opt := *cfg.Redis
	return redis.NewClient(&opt)
}

// redisOpt is asynq's connection option for the Redis of CSM_REDIS_URL
// (inspectors and clients that asynq opens itself).
func redisOpt(cfg *config) asynq.RedisClientOpt {
	return asynq.RedisClientOpt{Addr: cfg.Redis.Addr, Username: cfg.Redis.Username, Password: cfg.Redis.Password,
		DB: cfg.Redis.DB, TLSConfig: cfg.Redis.TLSConfig}
}
