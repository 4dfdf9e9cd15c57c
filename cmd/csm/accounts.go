package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/ratelimit"
)

// accountDeps builds the rate limiter on the shared Redis client (Close it
// when done) and reads the session secret for `csm serve`:
// CSM_SESSION_SECRET, else the one generated on the first start and kept
// in the database (so a restart does not sign users out and every API
// process accepts the others' cookies).
// It starts the hourly purge of accounts whose deletion time has passed
// (harmless when several processes run it) through accounts, so the key
// caches hear of it.
func accountDeps(ctx context.Context, cfg *config, rdb *redis.Client, db *postgres.DB, accounts catalog.AccountStore) (*ratelimit.Leased, []byte, error) {
	secret := []byte(cfg.SessionSecret)
	if len(secret) == 0 {
		var err error
		if secret, err = db.Secret(ctx, postgres.SecretSessionKey); err != nil {
			return nil, nil, fmt.Errorf("serve: session secret: %w", err)
		}
	}
	// API keys' budgets are leased from Redis in batches (see
	// ratelimit.Leased); Close gives the outstanding leases back
	lim := ratelimit.NewLeased(ratelimit.New(rdb, cfg.RateLimitPrefix), ratelimit.LeaseOptions{})
	if err := lim.Ping(ctx); err != nil {
		slog.Warn("rate limiter: redis not answering; requests are let through until it does", "err", err)
	}
	go purgeLoop(ctx, accounts, time.Hour)
	return lim, secret, nil
}

func purgeLoop(ctx context.Context, db catalog.AccountStore, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := db.PurgeDeleted(ctx, time.Now()); err != nil && ctx.Err() == nil {
			slog.Warn("purge deleted accounts", "err", err)
		} else if n > 0 {
			slog.Info("purged deleted accounts", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// splitList splits a comma-separated environment value.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
