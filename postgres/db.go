// Package postgres is the PostgreSQL (+ pgvector) adapter: it implements the
// catalog interfaces on a pgx connection pool and migrates the schema.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jackc/puddle/v2"
	"github.com/pressly/goose/v3"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/migrations"
	"github.com/collectorstash/csm/notify"
)

// DB is the Postgres store.
type DB struct {
	Pool *pgxpool.Pool
	// Events, when set, receives a price_update for every new headline
	// price WritePrices commits (see prices_events.go); nil publishes none.
	Events catalog.EventPublisher
	// Notify, when set, delivers the notifications of the price alerts and
	// wishlist prices a WritePrices call triggered (see alerts_eval.go);
	// nil leaves them in the feed only.
	Notify notify.Deliverer
}

var (
	_ catalog.Reader        = (*DB)(nil)
	_ catalog.CatalogWriter = (*DB)(nil)
	_ catalog.PriceWriter   = (*DB)(nil)
)

// Open connects a pool to url (a postgres:// URL; search_path may be set in it).
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// the default (max(4, cores)) queues concurrent API reads behind four
		// connections; Postgres handles a few dozen well
		cfg.MaxConns = int32(max(16, 4*runtime.NumCPU()))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return &DB{Pool: pool}, nil
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Pool.Ping(ctx); err != nil {
		return catalog.Unavailable(err)
	}
	return nil
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) error {
	sqlDB := stdlib.OpenDBFromPool(db.Pool)
	defer sqlDB.Close()
	return migrate(ctx, sqlDB)
}

func migrate(ctx context.Context, sqlDB *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		return fmt.Errorf("migrate: provider: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: up: %w", err)
	}
	for _, r := range res {
		slog.Debug("migrated", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// wrap turns driver errors into application errors: connection failures
// become EUNAVAILABLE, missing rows ENOTFOUND with msg.
func wrap(op string, err error, notFound string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) && notFound != "" {
		return catalog.Errorf(catalog.ENOTFOUND, "%s", notFound)
	}
	var ae *catalog.Error
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %w", op, err)
	}
	// connection failures first: a failed connect wraps the server's FATAL
	// (57P03 "the database system is starting up") in a ConnectError
	if isConnErr(err) {
		return fmt.Errorf("%s: %w", op, catalog.Unavailable(err))
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && unavailableCode(pgErr.Code) {
		return fmt.Errorf("%s: %w", op, catalog.Unavailable(err))
	}
	return fmt.Errorf("%s: %w", op, err)
}

// unavailableCode reports the SQLSTATEs of a server that is going away,
// coming back or full: 57P01 admin shutdown, 57P02 crash shutdown, 57P03
// cannot connect now, 53300 too many connections, class 08 connection
// exceptions. The request may succeed when retried: 503, not 500.
func unavailableCode(code string) bool {
	switch code {
	case "57P01", "57P02", "57P03", "53300":
		return true
	}
	return strings.HasPrefix(code, "08")
}

// isConnErr reports errors that mean the server could not be reached.
func isConnErr(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, puddle.ErrClosedPool) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		pgconn.Timeout(err) || (pgconn.SafeToRetry(err) && !isServerError(err))
}

func isServerError(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr)
}

func toLower(s string) string { return strings.ToLower(s) }
