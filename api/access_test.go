package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// TestAccessMatrix runs every account route with every kind of caller and
// checks the one rule: 401 without valid credentials, 403 when the caller
// is signed in but not allowed (tier, owner, admin), else the route's own
// answer.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t, acctOptions{noLimiter: true}) // ~100 anonymous calls: the IP budget is tested elsewhere
	owner := f.register("owner")
	_, ownerKey := owner.newKey("owner-key")
	ownerKeyPath := fmt.Sprintf("/api/keys/%v", ownerKey["id"])

	session := f.register("member")
	memberKey, _ := session.newKey("member-key")
	admin := f.admin()

	revokedUser := f.register("revoked")
	revokedKey, rk := revokedUser.newKey("gone")
	require.Equal(t, http.StatusNoContent, revokedUser.do(http.MethodDelete, fmt.Sprintf("/api/keys/%v", rk["id"]), nil).status)

	callers := map[string]*client{
		"anonymous":   f.anon(),
		"bad key":     f.apiClient("csm_" + "0123456789012345678901234567890123456789"),
		"revoked key": f.apiClient(revokedKey),
		"bad cookie":  f.withCookie("not.a.jwt"),
		"member key":  f.apiClient(memberKey),
		"session":     session,
		"admin":       admin,
	}
	type row struct {
		method, path string
		body         any
		// want per caller; absent callers get want[""]
		want map[string]int
	}
	authOnly := func(ok int) map[string]int {
		return map[string]int{"anonymous": 401, "bad key": 401, "revoked key": 401, "bad cookie": 401, "": ok}
	}
	notOwner := map[string]int{"anonymous": 401, "bad key": 401, "revoked key": 401, "bad cookie": 401, "": 403}
	adminOnly := map[string]int{"anonymous": 401, "bad key": 401, "revoked key": 401, "bad cookie": 401, "admin": 200, "": 403}
	rows := []row{
		{"GET", "/auth/me", nil, authOnly(200)},
		{"PATCH", "/auth/me", map[string]any{"country": "FR"}, authOnly(200)},
		{"POST", "/api/account/password", map[string]any{"current_password": "wrong-wrong", "new_password": "long-enough"}, authOnly(400)},
		{"POST", "/api/account/delete", map[string]any{"confirm": "nope"}, authOnly(400)},
		{"POST", "/api/account/delete/cancel", nil, authOnly(200)},
		{"GET", "/api/keys", nil, authOnly(200)},
		{"POST", "/api/keys", map[string]any{"name": "x", "tier": "enterprise"}, authOnly(403)}, // tier above the account
		{"PATCH", ownerKeyPath, map[string]any{"name": "stolen"}, notOwner},
		{"DELETE", ownerKeyPath, nil, notOwner},
		{"PUT", "/api/admin/users/owner/tier", map[string]any{"tier": "starter"}, adminOnly},
		// free routes stay open, but a bad key is refused everywhere
		{"GET", "/api/v2/games", nil, map[string]int{"bad key": 401, "revoked key": 401, "": 200}},
		{"POST", "/auth/logout", nil, map[string]int{"bad key": 401, "revoked key": 401, "": 200}},
	}
	for _, r := range rows {
		for name, c := range callers {
			want, ok := r.want[name]
			if !ok {
				want = r.want[""]
			}
			if r.path == "/auth/logout" && (name == "session" || name == "admin") {
				continue // would end the session the other rows use
			}
			got := c.do(r.method, r.path, r.body)
			require.Equal(t, want, got.status, "%s %s as %s: %s", r.method, r.path, name, got.body)
			switch want {
			case 401:
				require.Contains(t, []string{"Authentication required", "Invalid API key", "API key revoked"}, got.detail())
			case 403:
				require.NotEmpty(t, got.detail())
			}
		}
	}
	// the owner may rename its key (and nobody else could)
	require.Equal(t, http.StatusOK, owner.do(http.MethodPatch, ownerKeyPath, map[string]any{"name": "renamed"}).status)
}

// TestAuthorizeTags is the access rule itself for every tag and caller,
// pro+ included (no account route carries it yet).
func TestAuthorizeTags(t *testing.T) {
	t.Parallel()
	key := &catalog.APIKey{ID: 1}
	p := func(m catalog.AuthMethod, tier catalog.Tier, admin bool) catalog.Principal {
		return catalog.Principal{Method: m, Tier: tier, User: catalog.User{ID: 7, Tier: tier, IsAdmin: admin}, Key: key}
	}
	anon := catalog.Principal{}
	cases := []struct {
		name string
		p    catalog.Principal
		want map[catalog.Access]string // code per tag, "" = allowed
	}{
		{"anonymous", anon, map[catalog.Access]string{catalog.AccessFree: "", catalog.AccessAuth: catalog.EUNAUTHORIZED,
			catalog.AccessStarter: catalog.EUNAUTHORIZED, catalog.AccessPro: catalog.EUNAUTHORIZED, catalog.AccessAdmin: catalog.EUNAUTHORIZED}},
		{"free key", p(catalog.AuthAPIKey, catalog.TierFree, false), map[catalog.Access]string{catalog.AccessFree: "", catalog.AccessAuth: "",
			catalog.AccessStarter: catalog.EFORBIDDEN, catalog.AccessPro: catalog.EFORBIDDEN, catalog.AccessAdmin: catalog.EFORBIDDEN}},
		{"starter key", p(catalog.AuthAPIKey, catalog.TierStarter, false), map[catalog.Access]string{catalog.AccessFree: "", catalog.AccessAuth: "",
			catalog.AccessStarter: "", catalog.AccessPro: catalog.EFORBIDDEN, catalog.AccessAdmin: catalog.EFORBIDDEN}},
		{"pro key", p(catalog.AuthAPIKey, catalog.TierPro, false), map[catalog.Access]string{catalog.AccessFree: "", catalog.AccessAuth: "",
			catalog.AccessStarter: "", catalog.AccessPro: "", catalog.AccessAdmin: catalog.EFORBIDDEN}},
		{"shop key", p(catalog.AuthAPIKey, catalog.TierShopPro, false), map[catalog.Access]string{catalog.AccessPro: ""}},
		{"free session", p(catalog.AuthSession, catalog.TierFree, false), map[catalog.Access]string{catalog.AccessFree: "", catalog.AccessAuth: "",
			catalog.AccessStarter: "", catalog.AccessPro: catalog.EFORBIDDEN, catalog.AccessAdmin: catalog.EFORBIDDEN}},
		{"admin session", p(catalog.AuthSession, catalog.TierFree, true), map[catalog.Access]string{catalog.AccessAdmin: ""}},
		{"admin key", p(catalog.AuthAPIKey, catalog.TierFree, true), map[catalog.Access]string{catalog.AccessAdmin: "", catalog.AccessStarter: catalog.EFORBIDDEN}},
	}
	for _, tc := range cases {
		for a, want := range tc.want {
			require.Equal(t, want, catalog.ErrorCode(tc.p.Authorize(a)), "%s, tag %d", tc.name, a)
		}
	}
	require.NoError(t, p(catalog.AuthSession, catalog.TierFree, false).Owns(7))
	require.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(p(catalog.AuthSession, catalog.TierFree, false).Owns(8)))
	require.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(anon.Owns(0)))
}
