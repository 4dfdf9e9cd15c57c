package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/postgres"
)

// TestStoreDown points the API at a port where no database listens: every v2
// read answers 503 csm_data_unavailable and health says degraded.
func TestStoreDown(t *testing.T) {
	t.Parallel()
	db, err := postgres.Open(context.Background(), "postgres://csm:csm@127.0.0.1:1/csm?sslmode=disable&connect_timeout=2")
	require.NoError(t, err)
	t.Cleanup(db.Close)
	f := serve(t, db)
	for _, p := range []string{"/api/v2/stats", "/api/v2/games", "/api/v2/games/pokemon", "/api/v2/sets/1043",
		"/api/v2/cards?name=x", "/api/v2/cards/441076", "/api/v2/cards/441076/history"} {
		var e map[string]any
		res := f.get(p, &e)
		require.Equal(t, http.StatusServiceUnavailable, res.StatusCode, p)
		require.Equal(t, "csm_data_unavailable", e["detail"], p)
	}
	var h map[string]any
	res := f.get("/health", &h)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Equal(t, map[string]any{"status": "degraded", "db": false}, h)
}
