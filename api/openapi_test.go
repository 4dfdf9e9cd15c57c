package api_test

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api/openapi/conformance"
)

// spec validates every exchange of the servers the shared setup helpers
// build (setup, setupAccounts, setupStream, setupRecognition, …) against
// the OpenAPI document; TestMain then checks that every registered route
// got a validated response and that every documented operation is served.
var spec *conformance.Recorder

// unexercised lists routes that cannot be exercised in this package, with
// the reason. Keep it empty: prefer a test.
var unexercised = map[string]string{
	"POST /admin/queues/{path}":   "asynqmon's actions would pause, retry or archive the queues of other tests sharing this Redis; the GET side is tested (TestQueueUIForAdminsOnly)",
	"DELETE /admin/queues/{path}": "asynqmon's deletes would remove other tests' queues from the shared Redis; access control is the same middleware as the GET side",
}

// validated puts h (an api.New engine) behind the conformance validator:
// a request/response that does not match the document fails t.
func validated(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	return spec.Wrap(t, h)
}

func TestMain(m *testing.M) {
	var err error
	if spec, err = conformance.New(); err != nil {
		fmt.Fprintln(os.Stderr, "openapi:", err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 && wholeSuite() {
		unvalidated, undocumented, covered := spec.Report(unexercised)
		if testing.Verbose() {
			fmt.Printf("openapi conformance: %d routes validated:\n  %s\n", len(covered), strings.Join(covered, "\n  "))
		}
		if len(unvalidated) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL openapi conformance: %d registered routes never got a validated response (add a test through the shared setup helpers):\n  %s\n",
				len(unvalidated), strings.Join(unvalidated, "\n  "))
			code = 1
		}
		if len(undocumented) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL openapi conformance: %d documented operations are served by no engine built in the tests:\n  %s\n",
				len(undocumented), strings.Join(undocumented, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}

// wholeSuite is true when every test ran (no -run, -skip, -fuzz or -list
// filter): only then is route coverage meaningful.
func wholeSuite() bool {
	for _, name := range []string{"test.run", "test.skip", "test.fuzz", "test.list"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var doc map[string]any
	res := f.get("/openapi.json", &doc)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "3.1.0", doc["openapi"])
	paths, _ := doc["paths"].(map[string]any)
	require.Contains(t, paths, "/api/v2/cards/{id}")
	require.Contains(t, paths, "/openapi.json")

	res = f.get("/docs", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
}

func TestOpenAPIDocsPageListsEveryOperation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	req, err := http.NewRequest(http.MethodGet, f.url+"/docs", nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	page := string(b)
	for p, item := range spec.Doc().Paths.Map() {
		for m := range item.Operations() {
			require.Contains(t, page, `id="op-`+m+`-`+p+`"`, "the /docs page lists %s %s", m, p)
		}
	}
	require.NotContains(t, page, "<script", "the page is static")
}
