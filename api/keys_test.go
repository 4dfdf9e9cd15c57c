package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

func TestKeyLifecycle(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("keyholder")
	f.setTier("keyholder", catalog.TierPro)

	key, created := c.newKey("production")
	require.True(t, strings.HasPrefix(key, "csm_"), key)
	require.Len(t, key, catalog.KeyLen)
	require.Equal(t, key[:12], created["prefix"])
	require.Equal(t, "production", created["name"])
	require.Equal(t, "pro", created["tier"], "defaults to the account's tier")
	require.Equal(t, true, created["is_active"])
	require.EqualValues(t, 25000, created["daily_limit"])
	require.EqualValues(t, 120, created["rate_limit_per_minute"])
	require.EqualValues(t, 250, created["recognition_per_day"])
	require.EqualValues(t, 0, created["calls_today"])
	require.Nil(t, created["last_used_at"])
	require.Nil(t, created["expires_at"])
	require.Equal(t, "2026-06-05T12:00:00Z", created["created_at"])

	_, staging := c.newKey("staging", "tier", "free", "expires_at", "2026-07-01T00:00:00Z")
	require.Equal(t, "free", staging["tier"])
	require.EqualValues(t, 500, staging["daily_limit"])
	require.EqualValues(t, 30, staging["rate_limit_per_minute"])
	require.EqualValues(t, 0, staging["recognition_per_day"])
	require.Equal(t, "2026-07-01T00:00:00Z", staging["expires_at"])

	// use the first key three times: calls_today and last_used_at follow
	api := f.apiClient(key)
	for range 3 {
		require.Equal(t, http.StatusOK, api.do(http.MethodGet, "/auth/me", nil).status)
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	var r reply
	// last_used_at is written in the background (no request waits for it)
	require.Eventually(t, func() bool {
		r = c.do(http.MethodGet, "/api/keys", nil)
		require.Equal(t, http.StatusOK, r.status)
		r.json(&list)
		return len(list.Items) == 2 && list.Items[1]["last_used_at"] != nil
	}, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, "no-store", r.header.Get("Cache-Control"))
	require.Len(t, list.Items, 2)
	require.Equal(t, "staging", list.Items[0]["name"], "newest first")
	prod := list.Items[1]
	require.EqualValues(t, 3, prod["calls_today"])
	require.Equal(t, "2026-06-05T12:00:00Z", prod["last_used_at"])
	require.NotContains(t, string(r.body), key, "the key is shown once only")
	require.NotContains(t, list.Items[0], "key")

	// rename
	id := int64(prod["id"].(float64))
	r = c.do(http.MethodPatch, fmt.Sprintf("/api/keys/%d", id), map[string]any{"name": "prod-eu"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var renamed map[string]any
	r.json(&renamed)
	require.Equal(t, "prod-eu", renamed["name"])
	require.EqualValues(t, 3, renamed["calls_today"])
	require.NotContains(t, renamed, "key")
	require.Equal(t, http.StatusBadRequest, c.do(http.MethodPatch, fmt.Sprintf("/api/keys/%d", id), map[string]any{"name": " "}).status)

	// revoke: 204, then the key is refused and listed inactive
	r = c.do(http.MethodDelete, fmt.Sprintf("/api/keys/%d", id), nil)
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	r = api.do(http.MethodGet, "/auth/me", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "API key revoked", r.detail())
	r = api.do(http.MethodGet, "/api/v2/games", nil)
	require.Equal(t, http.StatusUnauthorized, r.status, "a bad key is refused on public routes too")
	c.do(http.MethodGet, "/api/keys", nil).json(&list)
	require.Equal(t, false, list.Items[1]["is_active"])

	require.Equal(t, http.StatusNotFound, c.do(http.MethodDelete, "/api/keys/999999", nil).status)
	require.Equal(t, http.StatusUnprocessableEntity, c.do(http.MethodDelete, "/api/keys/abc", nil).status)
}

func TestKeyTransports(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("transport")
	f.setTier("transport", catalog.TierStarter)
	key, _ := c.newKey("t")
	other, _ := c.newKey("u")

	me := func(r reply) string {
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var m map[string]any
		r.json(&m)
		return m["username"].(string)
	}
	anon := f.anon()
	require.Equal(t, "transport", me(anon.do(http.MethodGet, "/auth/me", nil, "Authorization", "Bearer "+key)))
	require.Equal(t, "transport", me(anon.do(http.MethodGet, "/auth/me", nil, "Authorization", "bearer  "+key+" ")))
	require.Equal(t, "transport", me(anon.do(http.MethodGet, "/auth/me", nil, "X-API-Key", key)))
	require.Equal(t, "transport", me(anon.do(http.MethodGet, "/auth/me?api_key="+url.QueryEscape(key), nil)))
	require.Equal(t, "transport", me(anon.do(http.MethodGet, "/auth/me?api_key="+key, nil, "X-API-Key", key, "Authorization", "Bearer "+key)),
		"the same key twice is fine")
	// a non-Bearer Authorization header is not ours
	require.Equal(t, "transport", me(anon.do(http.MethodGet, "/auth/me", nil, "X-API-Key", key, "Authorization", "Basic Zm9vOmJhcg==")))

	for _, hdr := range [][]string{
		{"Authorization", "Bearer " + key, "X-API-Key", other},
		{"Authorization", "Bearer "},
		{"Authorization", "Bearer csm_nope"},
		{"X-API-Key", "csm_" + strings.Repeat("A", 40)},
		{"X-API-Key", "not-a-key"},
	} {
		r := anon.do(http.MethodGet, "/auth/me", nil, hdr...)
		require.Equal(t, http.StatusUnauthorized, r.status, "%v", hdr)
		require.Equal(t, "Invalid API key", r.detail())
	}
	r := anon.do(http.MethodGet, "/auth/me?api_key="+other, nil, "X-API-Key", key)
	require.Equal(t, http.StatusUnauthorized, r.status, "conflicting transports")
	// every transport answers with the rate-limit headers
	r = anon.do(http.MethodGet, "/api/v2/games?api_key="+key, nil)
	require.Equal(t, "5000", r.header.Get("X-RateLimit-Limit"))
}

func TestKeyCreateRules(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("rules")

	r := c.do(http.MethodPost, "/api/keys", map[string]any{})
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "name required", r.detail())
	r = c.do(http.MethodPost, "/api/keys", map[string]any{"name": strings.Repeat("n", 101)})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = c.do(http.MethodPost, "/api/keys", map[string]any{"name": "x", "tier": "gold"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.detail(), "'power_collector'")
	r = c.do(http.MethodPost, "/api/keys", map[string]any{"name": "x", "expires_at": "2020-01-01T00:00:00Z"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.detail(), "future")
	r = c.do(http.MethodPost, "/api/keys", map[string]any{"name": "x", "expires_at": "next tuesday"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)

	// a key above the account's tier: 403
	r = c.do(http.MethodPost, "/api/keys", map[string]any{"name": "x", "tier": "pro"})
	require.Equal(t, http.StatusForbidden, r.status)
	require.Contains(t, r.detail(), "Tier too low")

	// free: one key; the second is 403; revoking frees the slot
	_, k := c.newKey("only")
	r = c.do(http.MethodPost, "/api/keys", map[string]any{"name": "second"})
	require.Equal(t, http.StatusForbidden, r.status)
	require.Contains(t, r.detail(), "limit")
	require.Equal(t, http.StatusNoContent, c.do(http.MethodDelete, fmt.Sprintf("/api/keys/%v", k["id"]), nil).status)
	c.newKey("second")

	// starter: three
	f.setTier("rules", catalog.TierStarter)
	c.newKey("third")
	c.newKey("fourth")
	r = c.do(http.MethodPost, "/api/keys", map[string]any{"name": "fifth"})
	require.Equal(t, http.StatusForbidden, r.status)
}

func TestKeyExpiry(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("expiring")
	key, _ := c.newKey("short", "expires_at", acctStart.Add(time.Hour).Format(time.RFC3339))
	api := f.apiClient(key)
	require.Equal(t, http.StatusOK, api.do(http.MethodGet, "/auth/me", nil).status)
	f.clock.Add(time.Hour)
	r := api.do(http.MethodGet, "/auth/me", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "API key expired", r.detail())
	var list struct {
		Items []map[string]any `json:"items"`
	}
	c.do(http.MethodGet, "/api/keys", nil).json(&list)
	require.Equal(t, false, list.Items[0]["is_active"])
	// an expired key no longer takes the free tier's only slot
	c.newKey("next", "expires_at", "2027-01-01")
}

func TestKeysOfOthers(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	alice := f.register("alice")
	bob := f.register("bob")
	_, k := alice.newKey("alice-key")
	path := fmt.Sprintf("/api/keys/%v", k["id"])

	r := bob.do(http.MethodPatch, path, map[string]any{"name": "mine now"})
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "Not the owner of this resource", r.detail())
	require.Equal(t, http.StatusForbidden, bob.do(http.MethodDelete, path, nil).status)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	bob.do(http.MethodGet, "/api/keys", nil).json(&list)
	require.Empty(t, list.Items)
	require.NotNil(t, list.Items, "empty array, not null")
}

// TestKeyCannotMintStrongerKey: a key capped below its account manages
// keys, but only at its own tier.
func TestKeyCannotMintStrongerKey(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("minter")
	f.setTier("minter", catalog.TierPro)
	weak, _ := c.newKey("weak", "tier", "starter")
	api := f.apiClient(weak)
	r := api.do(http.MethodPost, "/api/keys", map[string]any{"name": "strong", "tier": "pro"})
	require.Equal(t, http.StatusForbidden, r.status)
	r = api.do(http.MethodPost, "/api/keys", map[string]any{"name": "default"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var k map[string]any
	r.json(&k)
	require.Equal(t, "starter", k["tier"], "pinned to the creating key's tier")
	// and stays there when the account is upgraded
	f.setTier("minter", catalog.TierEnterprise)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	c.do(http.MethodGet, "/api/keys", nil).json(&list)
	require.Equal(t, "starter", list.Items[0]["tier"])
}
