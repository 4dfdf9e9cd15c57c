package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres/pgtest"
)

// now is the injected clock: the demo prices end on this day.
var now = time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)

type fixture struct {
	t   *testing.T
	url string
}

// setup serves the API over real HTTP on a fresh schema holding the demo
// catalogue.
func setup(t *testing.T) fixture {
	t.Helper()
	db, _ := pgtest.New(t)
	_, err := demo.Load(context.Background(), db, db, demo.Options{Today: now, Days: 120})
	require.NoError(t, err)
	return serve(t, db)
}

func serve(t *testing.T, r catalog.Reader) fixture {
	t.Helper()
	h, err := api.New(api.Config{
		Catalog:      r,
		Log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:          func() time.Time { return now },
		ExtraOrigins: []string{"https://shop.example"},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)
	return fixture{t: t, url: srv.URL}
}

// get fetches path and decodes the JSON body into out (when non-nil).
func (f fixture) get(path string, out any, hdr ...string) *http.Response {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.url+path, nil)
	require.NoError(f.t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(f.t, err)
	if out != nil {
		require.NoError(f.t, json.Unmarshal(body, out), "body: %s", body)
	}
	return res
}
