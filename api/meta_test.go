package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/demo"
)

func TestPlatformHealthAndStats(t *testing.T) {
	t.Parallel()
	f := setupCommunity(t)
	_, err := demo.Load(t.Context(), f.db, f.db, demo.Options{Today: now, Days: 5})
	require.NoError(t, err)
	f.member("alice")

	var h map[string]any
	r := f.anon().do(http.MethodGet, "/api/health", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&h)
	for _, k := range []string{"status", "cards", "prices", "users", "sellers", "active_alerts", "db_size_mb", "version"} {
		require.Contains(t, h, k)
	}
	require.Equal(t, "ok", h["status"])
	require.Positive(t, h["cards"])
	require.Positive(t, h["prices"])
	require.Equal(t, float64(1), h["users"])
	r = f.anon().do(http.MethodGet, "/health", nil)
	require.JSONEq(t, `{"status":"ok","db":true}`, string(r.body))

	var st map[string]any
	for _, p := range []string{"/api/stats", "/api/public/stats"} {
		r = f.anon().do(http.MethodGet, p, nil)
		require.Equal(t, http.StatusOK, r.status, p)
		require.Equal(t, "public, max-age=300", r.header.Get("Cache-Control"))
		r.json(&st)
		require.Positive(t, st["cards"])
	}
	var det struct {
		Cards int64 `json:"cards"`
		ByTCG []struct {
			Slug  string `json:"slug"`
			Cards int64  `json:"cards"`
		} `json:"by_tcg"`
	}
	r = f.anon().do(http.MethodGet, "/api/stats/detailed", nil)
	require.Equal(t, http.StatusOK, r.status)
	r.json(&det)
	require.NotEmpty(t, det.ByTCG)
	var sum int64
	for _, g := range det.ByTCG {
		sum += g.Cards
	}
	require.Equal(t, det.Cards, sum)

	// /stats redirects to the localised page, which is HTML
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(f.url + "/stats")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	require.Equal(t, "/en/stats", res.Header.Get("Location"))
	req, _ := http.NewRequest(http.MethodGet, f.url+"/stats", nil)
	req.Header.Set("Accept-Language", "nl-NL,nl;q=0.9")
	res, err = noFollow.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, "/nl/stats", res.Header.Get("Location"))
	for _, lang := range []string{"en", "nl"} {
		r = f.anon().do(http.MethodGet, "/"+lang+"/stats", nil)
		require.Equal(t, http.StatusOK, r.status, lang)
		require.Contains(t, r.header.Get("Content-Type"), "text/html")
		require.Contains(t, string(r.body), "Pokémon")
	}
}

func TestStatusPage(t *testing.T) {
	t.Parallel()
	f := setupCommunity(t)
	var st struct {
		Items []struct {
			Target    string  `json:"target"`
			Status    string  `json:"status"`
			LastCheck *string `json:"last_check"`
			LatencyMS *int    `json:"latency_ms"`
		} `json:"items"`
	}
	r := f.anon().do(http.MethodGet, "/api/status", nil)
	require.Equal(t, http.StatusOK, r.status)
	r.json(&st)
	require.Len(t, st.Items, 5)
	require.Equal(t, "unknown", st.Items[0].Status)

	// what the periodic job runs
	_, err := f.meta.RunChecks(t.Context())
	require.NoError(t, err)
	r = f.anon().do(http.MethodGet, "/api/status", nil)
	r.json(&st)
	got := map[string]string{}
	for _, it := range st.Items {
		got[it.Target] = it.Status
	}
	require.Equal(t, map[string]string{"api": "operational", "redis": "operational", "postgres": "operational",
		"queue": "unknown", "workers": "unknown"}, got)
	require.NotNil(t, st.Items[0].LastCheck)
	require.NotNil(t, st.Items[0].LatencyMS)

	r = f.anon().do(http.MethodGet, "/status", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.header.Get("Content-Type"), "text/html")
	require.Contains(t, string(r.body), `<tr data-target="postgres"><td>postgres</td><td class="status-operational">operational</td>`)
}

func TestAppMetaAndDevices(t *testing.T) {
	t.Parallel()
	f := setupCommunity(t)
	alice, _, _ := f.member("alice")
	admin := f.admin()

	var m map[string]map[string]any
	r := f.anon().do(http.MethodGet, "/api/app/version", nil)
	require.Equal(t, http.StatusOK, r.status)
	r.json(&m)
	require.Contains(t, m, "android")
	require.Contains(t, m, "ios")
	r = f.anon().do(http.MethodGet, "/api/app/version?platform=web", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)

	body := map[string]any{"version_name": "1.10.0", "version_code": 21, "min_supported": "1.8.0", "release_notes": "Faster scans"}
	r = alice.do(http.MethodPut, "/api/admin/app/version/android", body)
	require.Equal(t, http.StatusForbidden, r.status)
	r = admin.do(http.MethodPut, "/api/admin/app/version/android", body)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = admin.do(http.MethodPut, "/api/admin/app/version/web", body)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = f.anon().do(http.MethodGet, "/api/app/version?platform=android", nil)
	m = nil
	r.json(&m)
	require.Len(t, m, 1)
	require.Equal(t, "1.10.0", m["android"]["version_name"])
	require.Equal(t, float64(21), m["android"]["version_code"])

	// devices
	r = f.anon().do(http.MethodPost, "/api/devices", map[string]any{"platform": "android", "token": "t1"})
	require.Equal(t, http.StatusUnauthorized, r.status)
	r = alice.do(http.MethodPost, "/api/devices", map[string]any{"platform": "android", "token": "t1", "app_version": "1.10.0"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/api/devices", map[string]any{"platform": "android", "token": "t1"})
	require.Equal(t, http.StatusOK, r.status)
	for _, b := range []map[string]any{{"platform": "web", "token": "t"}, {"platform": "ios"}, {"token": "t"},
		{"platform": "ios", "token": strings.Repeat("x", 4097)}} {
		r = alice.do(http.MethodPost, "/api/devices", b)
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%v", b)
	}
	var ds struct {
		Items []map[string]any `json:"items"`
	}
	r = alice.do(http.MethodGet, "/api/devices", nil)
	r.json(&ds)
	require.Len(t, ds.Items, 1)
	r = admin.do(http.MethodDelete, "/api/devices", map[string]any{"token": "t1"})
	require.Equal(t, http.StatusNotFound, r.status, "another user's device")
	r = alice.do(http.MethodDelete, "/api/devices", map[string]any{"token": "t1"})
	require.Equal(t, http.StatusOK, r.status)
	r = alice.do(http.MethodPost, "/api/devices/unregister", map[string]any{"token": "t1"})
	require.Equal(t, http.StatusNotFound, r.status)
}
