package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres/pgtest"
)

// TestInvalidTextIsRejectedAtTheEdge sends text Postgres cannot hold
// (invalid UTF-8, NUL) in paths and query parameters to the real store:
// every route answers 422 in the list shape instead of reaching it.
func TestInvalidTextIsRejectedAtTheEdge(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, tc := range []struct{ raw, loc, typ string }{
		{"/api/v2/cards?name=%ff%fe", "query,name", "value_error.str.utf8"},
		{"/api/v2/cards?number=%ff", "query,number", "value_error.str.utf8"},
		{"/api/v2/cards?game=%ff", "query,game", "value_error.str.utf8"},
		{"/api/v2/cards?game=pokemon&name=a%00b", "query,name", "value_error.str.nul"},
		{"/api/v2/games/%ff%fe", "path", "value_error.str.utf8"},
		{"/api/v2/sets/%c3%28", "path", "value_error.str.utf8"},
		{"/api/v2/cards/1/history?region=%ff", "query,region", "value_error.str.utf8"},
		{"/api/v2/cards?name=ok&%ff=1", "query,\uFFFD", "value_error.str.utf8"},
		{"/api/v2/cards?name=%zz", "query", "value_error.query.encoding"},
		{"/no/such/%ff", "path", "value_error.str.utf8"},
		{"/health?x=%ff", "query,x", "value_error.str.utf8"},
	} {
		res, body := rawGet(t, f.url+tc.raw)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%s: %s", tc.raw, body)
		var out struct {
			Detail []struct {
				Loc  []string `json:"loc"`
				Msg  string   `json:"msg"`
				Type string   `json:"type"`
			} `json:"detail"`
		}
		require.NoError(t, json.Unmarshal(body, &out), "%s: %s", tc.raw, body)
		require.NotEmpty(t, out.Detail, tc.raw)
		require.Equal(t, tc.loc, strings.Join(out.Detail[0].Loc, ","), tc.raw)
		require.Equal(t, tc.typ, out.Detail[0].Type, tc.raw)
		require.NotEmpty(t, out.Detail[0].Msg)
	}
	// valid non-ASCII text still reaches the store
	res, body := rawGet(t, f.url+"/api/v2/cards?name="+url.QueryEscape("Pokémon é"))
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
}

// rawGet sends raw as it is (no re-encoding of the path) and reads the body.
func rawGet(t testing.TB, raw string) (*http.Response, []byte) {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	req := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}, Host: u.Host}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

// FuzzHTTPRealStore throws arbitrary bytes as path segments and query values
// at the v2 routes served over real HTTP from the real Postgres store: no
// answer is a 5xx, and every error carries {"detail"}.
func FuzzHTTPRealStore(f *testing.F) {
	for _, s := range [][3]string{
		{"cards", "name", "\xff\xfe"},
		{"cards", "number", "\xff"},
		{"cards", "game", "\xff"},
		{"games/\xff\xfe", "page", "1"},
		{"cards", "name", "a\x00b"},
		{"cards/441076/history", "days", "90"},
		{"cards", "name", "Charizard"},
		{"sets/1", "size", "\xc3\x28"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	base := realStore(f) // one schema and server for the whole run
	f.Fuzz(func(t *testing.T, path, name, value string) {
		u := base + "/api/v2/" + escapeBytes(path) + "?" + escapeBytes(name) + "=" + escapeBytes(value) + "&game=pokemon"
		res, body := rawGet(t, u)
		if res.StatusCode >= 500 {
			t.Fatalf("%q → %d %s", u, res.StatusCode, body)
		}
		if res.StatusCode >= 400 {
			var out map[string]any
			if err := json.Unmarshal(body, &out); err != nil || out["detail"] == nil {
				t.Fatalf("%q → %d without detail: %s", u, res.StatusCode, body)
			}
		}
	})
}

// realStore serves the API over real HTTP on a fresh schema holding the
// demo catalogue, for as long as tb runs.
func realStore(tb testing.TB) string {
	tb.Helper()
	db, _ := pgtest.New(tb)
	_, err := demo.Load(context.Background(), db, db, demo.Options{Today: now, Days: 30})
	require.NoError(tb, err)
	h, err := api.New(api.Config{Catalog: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }})
	require.NoError(tb, err)
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// escapeBytes percent-encodes every byte outside [A-Za-z0-9/-] so that any
// byte string, valid UTF-8 or not, reaches the server unchanged.
func escapeBytes(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '-' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
