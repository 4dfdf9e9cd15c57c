// Command csm is the Collector Stash Market platform: the HTTP API, the
// background worker, migrations, importers, the demo catalogue and the
// synthetic-catalogue generator. All wiring of adapters happens here.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// config is read from the environment; flags override where offered.
type config struct {
	DatabaseURL  string
	RedisAddr    string
	Addr         string
	DataDir      string
	ExtraOrigins string
	// CacheTTL keeps v2 responses in memory (≤ their Cache-Control max-age).
	CacheTTL time.Duration
	// Accounts: the tcg_session signing secret, the Redis key prefix of the
	// rate limiter and the proxies trusted to set X-Forwarded-For.
	SessionSecret   string
	RateLimitPrefix string
	TrustedProxies  []string
	// PublicURL is the base of scan-session deeplinks (CSM_PUBLIC_URL).
	PublicURL string
}

func loadConfig() config {
	return config{
		DatabaseURL:  env("CSM_DATABASE_URL", "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable"),
		RedisAddr:    env("CSM_REDIS_ADDR", "127.0.0.1:56379"),
		Addr:         env("CSM_ADDR", ":8000"),
		DataDir:      env("CSM_DATA_DIR", "var"),
		ExtraOrigins: os.Getenv("CORS_EXTRA_ORIGINS"),
		CacheTTL:     envDuration("CSM_CACHE_TTL", time.Minute),

		SessionSecret:   sessionSecretEnv(),
		RateLimitPrefix: env("CSM_RATELIMIT_PREFIX", "csm:rl:"),
		TrustedProxies:  splitList(os.Getenv("CSM_TRUSTED_PROXIES")),
		PublicURL:       env("CSM_PUBLIC_URL", "http://localhost:8000"),
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envDuration(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return d
	}
	return def
}

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := loadConfig()
	root := &cobra.Command{
		Use:           "csm",
		Short:         "Collector Stash Market: TCG catalogue, prices and card recognition",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCmd(&cfg), workerCmd(&cfg), migrateCmd(&cfg), demoCmd(&cfg),
		importCmd(&cfg), generateCmd(&cfg), userCmd(&cfg), indexCmd(&cfg), retrainCmd(&cfg))
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "csm:", err)
		os.Exit(1)
	}
}
