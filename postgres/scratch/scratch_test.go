package scratch_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/postgres/scratch"
)

func TestSchemaAndDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "scratch_" + hex.EncodeToString(b)

	su, drop, err := scratch.Schema(ctx, pgtest.URL(), name)
	require.NoError(t, err)
	c, err := pgx.Connect(ctx, su)
	require.NoError(t, err)
	_, err = c.Exec(ctx, "CREATE TABLE t (v vector(2))")
	require.NoError(t, err, "pgvector from public, table in the schema")
	var schema string
	require.NoError(t, c.QueryRow(ctx, "SELECT table_schema FROM information_schema.tables WHERE table_name = 't' AND table_schema = $1", name).Scan(&schema))
	require.Equal(t, name, schema)
	require.NoError(t, c.Close(ctx))
	drop()
	admin, err := pgx.Connect(ctx, pgtest.URL())
	require.NoError(t, err)
	defer admin.Close(ctx)
	var n int
	require.NoError(t, admin.QueryRow(ctx, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1", name).Scan(&n))
	require.Zero(t, n, "dropped")

	du, err := scratch.Database(ctx, pgtest.URL(), name)
	require.NoError(t, err)
	d, err := pgx.Connect(ctx, du)
	require.NoError(t, err)
	var db string
	require.NoError(t, d.QueryRow(ctx, "SELECT current_database()").Scan(&db))
	require.Equal(t, name, db)
	require.NoError(t, d.Close(ctx))
	_, err = scratch.Database(ctx, pgtest.URL(), name)
	require.NoError(t, err, "recreated over the old one")
	_, err = admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
	require.NoError(t, err)
}
