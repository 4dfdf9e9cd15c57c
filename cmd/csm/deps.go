package main

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"

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

func redisOpt(cfg *config) asynq.RedisClientOpt {
	return asynq.RedisClientOpt{Addr: cfg.RedisAddr}
}
