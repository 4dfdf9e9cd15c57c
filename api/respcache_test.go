package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres/pgtest"
)

func TestResponseCache(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	_, err := demo.Load(context.Background(), db, db, demo.Options{Today: now, Days: 10})
	require.NoError(t, err)
	h, err := api.New(api.Config{Catalog: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }, CacheTTL: time.Minute})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)
	f := fixture{t: t, url: srv.URL}

	var a, b map[string]any
	r1 := f.get("/api/v2/cards/441076?x=1&a=2", &a)
	require.Equal(t, "miss", r1.Header.Get("X-Cache"))
	r2 := f.get("/api/v2/cards/441076?a=2&x=1", &b) // same query, other order
	require.Equal(t, "hit", r2.Header.Get("X-Cache"))
	require.Equal(t, a, b)
	require.Equal(t, r1.Header.Get("Cache-Control"), r2.Header.Get("Cache-Control"))

	// errors are never cached
	for i := 0; i < 2; i++ {
		res := f.get("/api/v2/cards/1", nil)
		require.Equal(t, http.StatusNotFound, res.StatusCode)
		require.Equal(t, "miss", res.Header.Get("X-Cache"))
	}
}
