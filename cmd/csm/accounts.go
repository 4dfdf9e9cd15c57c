package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/ratelimit"
)

// accountDeps opens the Redis limiter and reads the session secret for
// `csm serve`, and starts the hourly purge of accounts whose deletion time
// has passed (harmless when several processes run it) through accounts, so
// the key caches hear of it.
func accountDeps(ctx context.Context, cfg *config, db *postgres.DB, accounts catalog.AccountStore) (*ratelimit.Limiter, []byte, error) {
	secret := []byte(cfg.SessionSecret)
	switch {
	case len(secret) == 0:
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
		slog.Warn("CSM_SESSION_SECRET is not set: sessions use a random key, end on restart and do not work across API processes")
	case len(secret) < 32:
		return nil, nil, fmt.Errorf("serve: CSM_SESSION_SECRET must be at least 32 bytes")
	}
	lim := ratelimit.Open(cfg.RedisAddr, cfg.RateLimitPrefix)
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

func sessionSecretEnv() string {
	if v := os.Getenv("CSM_SESSION_SECRET"); v != "" {
		return v
	}
	return os.Getenv("SESSION_SECRET")
}
