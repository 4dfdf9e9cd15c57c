// Package pgtest gives each test its own migrated schema on the real
// PostgreSQL server named by CSM_DATABASE_URL (the toolbox's by default), and
// drops it when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/postgres"
)

// DefaultURL is the toolbox's local database.
const DefaultURL = "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable"

// URL returns the server URL tests use.
func URL() string {
	if u := os.Getenv("CSM_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New creates schema t_<random>, migrates it and returns a store whose
// connections use it. The schema is dropped at cleanup.
func New(t testing.TB) (*postgres.DB, string) {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, URL())
	require.NoError(t, err, "postgres must be running (make services)")
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	extOnce.Do(func() { extErr = createExtensions(ctx, admin) })
	require.NoError(t, extErr)
	require.NoError(t, admin.Close(ctx))

	u := SchemaURL(t, schema)
	db, err := postgres.Open(ctx, u)
	require.NoError(t, err)
	require.NoError(t, db.Migrate(ctx))
	t.Cleanup(func() {
		db.Close()
		c, err := pgx.Connect(context.Background(), URL())
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			_ = c.Close(context.Background())
		}
	})
	return db, u
}

var (
	extOnce sync.Once
	extErr  error
)

// createExtensions installs the extensions in public once, serialised across
// test processes by an advisory lock (concurrent CREATE EXTENSION races).
func createExtensions(ctx context.Context, c *pgx.Conn) error {
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock(715593)"); err != nil {
		return err
	}
	defer c.Exec(ctx, "SELECT pg_advisory_unlock(715593)") //nolint:errcheck
	for _, e := range []string{"pg_trgm", "vector"} {
		if _, err := c.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS "+e+" WITH SCHEMA public"); err != nil {
			return err
		}
	}
	return nil
}

// SchemaURL returns the server URL with search_path set to schema, public.
func SchemaURL(t testing.TB, schema string) string {
	u, err := url.Parse(URL())
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}
