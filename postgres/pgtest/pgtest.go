// Package pgtest gives each test its own migrated schema on the real
// PostgreSQL server named by CSM_DATABASE_URL (the toolbox's by default), and
// drops it when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
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
	extOnce.Do(func() { extErr = scratch.Extensions(ctx, admin) })
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

// SchemaURL returns the server URL with search_path set to schema, public.
func SchemaURL(t testing.TB, schema string) string {
	u, err := scratch.SchemaURL(URL(), schema)
	require.NoError(t, err)
	return u
}
