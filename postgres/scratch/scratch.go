// Package scratch makes throwaway databases and schemas on a PostgreSQL
// server: for benchmarks, simulations and tests that must not touch the
// main schema.
package scratch

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
)

// Reuse returns the URL of database name on the server of base as it is
// (a benchmark's -keep): nothing is dropped or created.
func Reuse(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("scratch: database url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Database drops database name on the server of base (closing its
// connections) and creates it empty; it returns the new database's URL.
func Database(ctx context.Context, base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("scratch: database url: %w", err)
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("scratch: connect: %w", err)
	}
	defer admin.Close(ctx)
	for _, q := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return "", fmt.Errorf("scratch: %s: %w", q, err)
		}
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Schema drops schema name in the database of base and creates it empty,
// with the extensions the migrations need installed in public. It returns
// a URL whose connections use the schema (see SchemaURL) and drop, which
// removes the schema again.
func Schema(ctx context.Context, base, name string) (string, func(), error) {
	su, err := SchemaURL(base, name)
	if err != nil {
		return "", nil, err
	}
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("scratch: connect: %w", err)
	}
	defer admin.Close(ctx)
	for _, q := range []string{"DROP SCHEMA IF EXISTS " + name + " CASCADE", "CREATE SCHEMA " + name} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return "", nil, fmt.Errorf("scratch: %s: %w", q, err)
		}
	}
	if err := Extensions(ctx, admin); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+name+" CASCADE")
			_ = c.Close(context.Background())
		}
	}
	return su, drop, nil
}

// Extensions installs pg_trgm and pgvector in public, serialised across
// processes by an advisory lock (concurrent CREATE EXTENSION races).
func Extensions(ctx context.Context, c *pgx.Conn) error {
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock(715593)"); err != nil {
		return fmt.Errorf("scratch: extensions: %w", err)
	}
	defer c.Exec(ctx, "SELECT pg_advisory_unlock(715593)") //nolint:errcheck
	for _, e := range []string{"pg_trgm", "vector"} {
		if _, err := c.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS "+e+" WITH SCHEMA public"); err != nil {
			return fmt.Errorf("scratch: extension %s: %w", e, err)
		}
	}
	return nil
}

// SchemaURL returns base with search_path set to schema, public.
func SchemaURL(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("scratch: database url: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String(), nil
}
