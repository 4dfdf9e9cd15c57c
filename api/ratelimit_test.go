package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

var midnight = time.Date(2026, 6, 6, 0, 0, 0, 0, time.UTC)

func TestAnonymousLimitByIP(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("website") // before the IP's budget is spent: sign-up is anonymous
	anon := f.anon()
	// The budget refills one request every 2 s of Redis time, which the
	// test cannot stop: on a loaded machine a refill may land between two
	// requests. Each answer's Remaining is therefore bounded by the refills
	// the elapsed time allows, and the 429 must come within those extra
	// requests — exact on a fast run, never flaky on a slow one.
	start := time.Now()
	refills := func() int { return int(time.Since(start)/(2*time.Second)) + 1 }
	var r reply
	allowed := 0
	for ; ; allowed++ {
		r = anon.do(http.MethodGet, "/api/v2/games", nil)
		if r.status != http.StatusOK {
			break
		}
		require.Equal(t, "30", r.header.Get("X-RateLimit-Limit"))
		rem, err := strconv.Atoi(r.header.Get("X-RateLimit-Remaining"))
		require.NoError(t, err, "request %d", allowed)
		want := catalog.AnonymousPerMinute - 2 - allowed
		require.GreaterOrEqual(t, rem, max(want, 0), "request %d", allowed)
		require.LessOrEqual(t, rem, want+refills(), "request %d", allowed)
		require.NotEmpty(t, r.header.Get("X-RateLimit-Reset"))
		require.LessOrEqual(t, allowed, catalog.AnonymousPerMinute-1+refills(), "the budget never ran out")
	}
	require.GreaterOrEqual(t, allowed, catalog.AnonymousPerMinute-1, "sign-up took one request of 30")
	require.Equal(t, http.StatusTooManyRequests, r.status)
	retry, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err)
	require.InDelta(t, 2, retry, 1, "one request every 2 s refills")
	require.Equal(t, fmt.Sprintf("Rate limit exceeded. Retry after %d seconds.", retry), r.detail())
	// health checks are never limited; X-Forwarded-For from an untrusted
	// peer does not buy a fresh budget
	require.Equal(t, http.StatusOK, anon.do(http.MethodGet, "/health", nil).status)
	require.Equal(t, http.StatusTooManyRequests, anon.do(http.MethodGet, "/api/v2/games", nil, "X-Forwarded-For", "203.0.113.9").status)
	// a session cookie bypasses the limiter
	for range 40 {
		r := c.do(http.MethodGet, "/api/v2/games", nil)
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, "unlimited", r.header.Get("X-RateLimit-Limit"))
	}
}

func TestInvalidKeysCountAgainstTheIP(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	anon := f.anon()
	for range catalog.AnonymousPerMinute {
		require.Equal(t, http.StatusUnauthorized, anon.do(http.MethodGet, "/api/v2/games", nil, "X-API-Key", "csm_guess").status)
	}
	require.Equal(t, http.StatusTooManyRequests, anon.do(http.MethodGet, "/api/v2/games", nil, "X-API-Key", "csm_guess").status)
}

func TestKeyPerMinuteLimitAndUpgrade(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("upgrader")
	key, k := c.newKey("free-key")
	api := f.apiClient(key)
	for i := range 30 {
		r := api.do(http.MethodGet, "/api/v2/games", nil)
		require.Equal(t, http.StatusOK, r.status, "request %d", i)
		// the headers give the daily budget
		require.Equal(t, "500", r.header.Get("X-RateLimit-Limit"))
		require.Equal(t, strconv.Itoa(500-1-i), r.header.Get("X-RateLimit-Remaining"))
		require.Equal(t, strconv.FormatInt(midnight.Unix(), 10), r.header.Get("X-RateLimit-Reset"))
	}
	r := api.do(http.MethodGet, "/api/v2/games", nil)
	require.Equal(t, http.StatusTooManyRequests, r.status)
	require.Equal(t, "30", r.header.Get("X-RateLimit-Limit"), "a minute-limit 429 shows the minute budget")
	require.Equal(t, "0", r.header.Get("X-RateLimit-Remaining"))
	require.NotEmpty(t, r.header.Get("Retry-After"))

	// the admin upgrades the account: the key follows at once
	admin := f.admin()
	r = admin.do(http.MethodPut, "/api/admin/users/upgrader/tier", map[string]any{"tier": "starter"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var u map[string]any
	r.json(&u)
	require.Equal(t, "starter", u["tier"])
	r = api.do(http.MethodGet, "/api/v2/games", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, "5000", r.header.Get("X-RateLimit-Limit"))
	var list struct {
		Items []map[string]any `json:"items"`
	}
	c.do(http.MethodGet, "/api/keys", nil).json(&list)
	require.Equal(t, "starter", list.Items[0]["tier"])
	require.EqualValues(t, 60, list.Items[0]["rate_limit_per_minute"])
	require.EqualValues(t, 31, list.Items[0]["calls_today"], "429s are not counted")
	require.Equal(t, k["id"], list.Items[0]["id"])
}

func TestDailyLimitResetsAtMidnightUTC(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("daily")
	key, k := c.newKey("daily")
	api := f.apiClient(key)
	bucket := fmt.Sprintf("key:%v", k["id"])
	// 499 of today's 500 already spent
	_, err := f.lim.TakeDaily(t.Context(), bucket, 499, catalog.Unlimited, f.clock.Now())
	require.NoError(t, err)

	r := api.do(http.MethodGet, "/api/v2/games", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "0", r.header.Get("X-RateLimit-Remaining"))
	r = api.do(http.MethodGet, "/api/v2/games", nil)
	require.Equal(t, http.StatusTooManyRequests, r.status)
	require.Equal(t, "43200", r.header.Get("Retry-After"), "12:00 UTC: 12 h to midnight")
	require.Equal(t, "Rate limit exceeded. Retry after 43200 seconds.", r.detail())
	require.Equal(t, strconv.FormatInt(midnight.Unix(), 10), r.header.Get("X-RateLimit-Reset"))

	f.clock.Set(midnight.Add(-time.Second))
	r = api.do(http.MethodGet, "/api/v2/games", nil)
	require.Equal(t, http.StatusTooManyRequests, r.status)
	require.Equal(t, "1", r.header.Get("Retry-After"))

	f.clock.Set(midnight) // a new UTC day
	r = api.do(http.MethodGet, "/api/v2/games", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, "499", r.header.Get("X-RateLimit-Remaining"))
	require.Equal(t, strconv.FormatInt(midnight.Add(24*time.Hour).Unix(), 10), r.header.Get("X-RateLimit-Reset"))
	var list struct {
		Items []map[string]any `json:"items"`
	}
	c.do(http.MethodGet, "/api/keys", nil).json(&list)
	require.EqualValues(t, 1, list.Items[0]["calls_today"])
}

func TestDowngradeCapsKeys(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("downgrader")
	f.setTier("downgrader", catalog.TierPro)
	key, k := c.newKey("follows")
	_, capped := c.newKey("starter-key", "tier", "starter")
	api := f.apiClient(key)
	_, err := f.lim.TakeDaily(t.Context(), fmt.Sprintf("key:%v", k["id"]), 600, catalog.Unlimited, f.clock.Now())
	require.NoError(t, err)
	r := api.do(http.MethodGet, "/api/v2/games", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "25000", r.header.Get("X-RateLimit-Limit"))

	admin := f.admin()
	require.Equal(t, http.StatusOK, admin.do(http.MethodPut, "/api/admin/users/downgrader/tier", map[string]any{"tier": "free"}).status)
	r = api.do(http.MethodGet, "/api/v2/games", nil)
	require.Equal(t, http.StatusTooManyRequests, r.status, "601 calls today is over the free 500")
	require.Equal(t, "500", r.header.Get("X-RateLimit-Limit"))

	var list struct {
		Items []map[string]any `json:"items"`
	}
	c.do(http.MethodGet, "/api/keys", nil).json(&list)
	for _, it := range list.Items {
		require.Equal(t, "free", it["tier"], "every key is capped by the account")
		require.EqualValues(t, 500, it["daily_limit"])
	}
	// upgrading again: the key without a tier follows, the starter key stays starter
	require.Equal(t, http.StatusOK, admin.do(http.MethodPut, "/api/admin/users/downgrader/tier", map[string]any{"tier": "enterprise"}).status)
	c.do(http.MethodGet, "/api/keys", nil).json(&list)
	tiers := map[any]any{}
	for _, it := range list.Items {
		tiers[it["id"]] = it["tier"]
	}
	require.Equal(t, "enterprise", tiers[k["id"]])
	require.Equal(t, "starter", tiers[capped["id"]])
}

func TestUnlimitedTierHeaders(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("whale")
	f.setTier("whale", catalog.TierUnlimited)
	key, k := c.newKey("whale")
	require.Nil(t, k["daily_limit"])
	require.Nil(t, k["rate_limit_per_minute"])
	require.Nil(t, k["recognition_per_day"])
	api := f.apiClient(key)
	for range 40 {
		r := api.do(http.MethodGet, "/api/v2/games", nil)
		require.Equal(t, http.StatusOK, r.status)
		require.Equal(t, "unlimited", r.header.Get("X-RateLimit-Limit"))
		require.Equal(t, "unlimited", r.header.Get("X-RateLimit-Remaining"))
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	c.do(http.MethodGet, "/api/keys", nil).json(&list)
	require.EqualValues(t, 40, list.Items[0]["calls_today"], "unlimited keys are still counted")
}

func TestAdminSetTier(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	f.register("target")
	admin := f.admin()
	r := admin.do(http.MethodPut, "/api/admin/users/target/tier", map[string]any{"tier": "gold"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = admin.do(http.MethodPut, "/api/admin/users/nobody/tier", map[string]any{"tier": "pro"})
	require.Equal(t, http.StatusNotFound, r.status)
	// the legacy Business plan resolves to Shop Basic
	r = admin.do(http.MethodPut, "/api/admin/users/target/tier", map[string]any{"tier": "Business"})
	require.Equal(t, http.StatusOK, r.status)
	var u map[string]any
	r.json(&u)
	require.Equal(t, "shop_basic", u["tier"])
}
