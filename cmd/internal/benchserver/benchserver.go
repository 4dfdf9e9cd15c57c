// Package benchserver holds what the API benchmarks stand on before they
// measure: a migrated scratch schema with demo data in the toolbox's
// Postgres, API servers on loopback ports, and an HTTP client for them.
package benchserver

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
)

// Env is the environment variable k, def when it is unset or empty.
func Env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// DatabaseURL is CSM_DATABASE_URL, the toolbox's Postgres by default.
func DatabaseURL() string {
	return Env("CSM_DATABASE_URL", "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable")
}

// RedisAddr is CSM_REDIS_ADDR, the toolbox's Redis by default.
func RedisAddr() string { return Env("CSM_REDIS_ADDR", "127.0.0.1:56379") }

// Quiet is a logger that drops everything: the servers' logs would be
// noise next to the figures.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Scratch is a scratch schema of DatabaseURL, migrated and loaded with
// days of demo data.
type Scratch struct {
	// DB is the benchmark's connection pool to the schema.
	DB *postgres.DB
	// URL opens more pools on the schema (a second API server's).
	URL  string
	drop func()
}

// NewScratch creates the scratch schema name (dropping a leftover one),
// migrates it and loads days of demo data; Close drops it.
func NewScratch(ctx context.Context, name string, days int) (*Scratch, error) {
	su, drop, err := scratch.Schema(ctx, DatabaseURL(), name)
	if err != nil {
		return nil, err
	}
	db, err := postgres.Open(ctx, su)
	if err != nil {
		drop()
		return nil, err
	}
	s := &Scratch{DB: db, URL: su, drop: drop}
	if err := db.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if _, err := demo.Load(ctx, db, db, demo.Options{Today: time.Now().UTC(), Days: days}); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the pool and drops the schema.
func (s *Scratch) Close() {
	s.DB.Close()
	s.drop()
}

// Listen serves h on a loopback port: its base URL ("http://127.0.0.1:…")
// and the function that stops it.
func Listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// Client is an HTTP client for the loopback servers that keeps up to idle
// connections a server open (a benchmark's concurrency).
func Client(idle int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: idle}}
}
