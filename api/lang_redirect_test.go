package api_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/pricing"
)

// TestLanguageRedirects: browsers asking for the HTML-style legacy paths
// are sent to /en/… or /nl/… (302), which answer the same; API clients and
// the non-redirecting paths never are.
func TestLanguageRedirects(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, f.url+path, nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := noFollow.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, string(b)
	}
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

	for path, want := range map[string]string{
		"/tcgs/pokemon":         "/en/tcgs/pokemon",
		"/pokemon/sets?limit=5": "/en/pokemon/sets?limit=5",
		"/mtg/sets":             "/en/mtg/sets",
	} {
		res, _ := get(path, "Accept", browser)
		require.Equal(t, http.StatusFound, res.StatusCode, path)
		require.Equal(t, want, res.Header.Get("Location"), path)
		res, _ = get(path, "Accept", browser, "Accept-Language", "nl-NL,nl;q=0.9,en;q=0.8")
		require.Equal(t, http.StatusFound, res.StatusCode, path)
		require.Equal(t, "/nl"+want[len("/en"):], res.Header.Get("Location"), path)
		// API clients: the resource itself
		for _, accept := range []string{"", "*/*", "application/json"} {
			res, _ = get(path, "Accept", accept)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s %q", path, accept)
		}
		// the localised variant answers the same as the API path
		res, body := get(want, "Accept", browser)
		require.Equal(t, http.StatusOK, res.StatusCode, want)
		_, apiBody := get(path)
		require.JSONEq(t, apiBody, body, want)
	}
	for _, lang := range []string{"en", "nl"} {
		for _, slug := range pricing.TCGSlugs {
			res, _ := get("/" + lang + "/" + slug + "/sets")
			require.Equal(t, http.StatusOK, res.StatusCode, slug)
		}
		res, _ := get("/" + lang + "/tcgs/pokemon")
		require.Equal(t, http.StatusOK, res.StatusCode)
	}
	res, _ := get("/nl/pokemon/sets?limit=0")
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	res, _ = get("/en/tcgs/no-such-game")
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	// never redirected, even for browsers
	for _, path := range []string{"/tcgs", "/api/v2/games", "/health"} {
		res, _ := get(path, "Accept", browser)
		require.NotEqual(t, http.StatusFound, res.StatusCode, path)
		require.Empty(t, res.Header.Get("Location"), path)
	}
}
