package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

func TestRegisterSetsSessionCookie(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.browser()
	r := c.do(http.MethodPost, "/auth/register", map[string]any{"username": "Demo-1", "email": "Demo-1@Example.com",
		"password": testPassword, "display_name": "Demo One", "country": "nl"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var out map[string]any
	r.json(&out)
	require.Equal(t, true, out["ok"])
	require.Equal(t, "demo-1", out["username"], "usernames are lowercased")
	require.NotZero(t, out["user_id"])

	ck := r.cookie
	require.NotNil(t, ck)
	require.True(t, ck.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	require.False(t, ck.Secure, "plain HTTP: not Secure")
	require.Equal(t, 30*24*3600, ck.MaxAge)
	require.Equal(t, "/", ck.Path)
	// the cookie is an HS256 JWT
	tok, _, err := jwt.NewParser().ParseUnverified(ck.Value, jwt.MapClaims{})
	require.NoError(t, err)
	require.Equal(t, "HS256", tok.Method.Alg())

	var me map[string]any
	r = c.do(http.MethodGet, "/auth/me", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&me)
	require.Equal(t, "demo-1", me["username"])
	require.Equal(t, "demo-1@example.com", me["email"])
	require.Equal(t, "Demo One", me["display_name"])
	require.Equal(t, "NL", me["country"])
	require.Equal(t, "free", me["tier"])
	require.Equal(t, false, me["is_admin"])
	require.Equal(t, false, me["is_seller"])
	require.Equal(t, "2026-06-05T12:00:00Z", me["created_at"])
	require.Nil(t, me["deletion_scheduled_at"])
	require.NotContains(t, string(r.body), "password")
	require.Equal(t, "no-store", r.header.Get("Cache-Control"))
}

func TestSecureCookieBehindTLS(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	r := f.browser().do(http.MethodPost, "/auth/register", map[string]any{"username": "tls-user", "email": "tls@example.com",
		"password": testPassword}, "X-Forwarded-Proto", "https", "Origin", "https://collectorstashmarket.com")
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.True(t, r.cookie.Secure)
}

func TestRegisterErrors(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	f.register("taken")
	cases := []struct {
		body   map[string]any
		status int
		detail string
	}{
		{map[string]any{"username": "Taken", "email": "other@example.com", "password": testPassword}, 400, "username already taken"},
		{map[string]any{"username": "other", "email": "TAKEN@example.com", "password": testPassword}, 400, "email already registered"},
		{map[string]any{"username": "x1", "email": "x1@example.com"}, 400, "username, email, and password required"},
		{map[string]any{"email": "x1@example.com", "password": testPassword}, 400, "username, email, and password required"},
		{map[string]any{}, 400, "username, email, and password required"},
		{map[string]any{"username": "okname", "email": "not-an-email", "password": testPassword}, 400, "invalid email"},
		{map[string]any{"username": "ab", "email": "ab@example.com", "password": testPassword}, 422, "username"},
		{map[string]any{"username": strings.Repeat("a", 31), "email": "ab@example.com", "password": testPassword}, 422, "username"},
		{map[string]any{"username": "bad name", "email": "ab@example.com", "password": testPassword}, 422, "username"},
		{map[string]any{"username": "shortpw", "email": "sp@example.com", "password": "1234567"}, 422, "at least 8"},
		{map[string]any{"username": "badcc", "email": "cc@example.com", "password": testPassword, "country": "NLD"}, 422, "country"},
		{map[string]any{"username": 12, "email": "cc@example.com", "password": testPassword}, 400, "Invalid JSON body"},
	}
	for _, tc := range cases {
		r := f.browser().do(http.MethodPost, "/auth/register", tc.body)
		require.Equal(t, tc.status, r.status, "%v: %s", tc.body, r.body)
		require.Contains(t, r.detail(), tc.detail, "%v", tc.body)
		require.Nil(t, r.cookie)
	}
	// 30 characters is the longest name; exactly 3 the shortest
	for _, n := range []string{strings.Repeat("b", 30), "abc"} {
		r := f.browser().do(http.MethodPost, "/auth/register", map[string]any{"username": n, "email": n + "@example.com", "password": testPassword})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	}
}

func TestLoginByUsernameOrEmail(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	f.register("demo-2")
	for _, login := range []string{"demo-2", "DEMO-2", "demo-2@example.com", "Demo-2@Example.COM"} {
		c := f.browser()
		r := c.do(http.MethodPost, "/auth/login", map[string]any{"username": login, "password": testPassword})
		require.Equal(t, http.StatusOK, r.status, "%s: %s", login, r.body)
		var out map[string]any
		r.json(&out)
		require.Equal(t, "demo-2", out["username"])
		require.NotNil(t, r.cookie)
		require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/auth/me", nil).status)
	}
	// email in its own field works too
	r := f.browser().do(http.MethodPost, "/auth/login", map[string]any{"email": "demo-2@example.com", "password": testPassword})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	for _, body := range []map[string]any{
		{"username": "demo-2", "password": "wrong-password"},
		{"username": "nobody", "password": testPassword},
		{"username": "nobody@example.com", "password": testPassword},
	} {
		r := f.browser().do(http.MethodPost, "/auth/login", body)
		require.Equal(t, http.StatusUnauthorized, r.status, "%v", body)
		require.Equal(t, "Invalid username or password", r.detail())
		require.Nil(t, r.cookie)
	}
	r = f.browser().do(http.MethodPost, "/auth/login", map[string]any{"username": "demo-2"})
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "username and password required", r.detail())
}

func TestLogoutInvalidatesTheCookie(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("leaver")
	old := c.sessionCookie()
	require.NotEmpty(t, old)
	// a second browser of the same user stays signed in
	other := f.browser()
	require.Equal(t, http.StatusOK, other.do(http.MethodPost, "/auth/login", map[string]any{"username": "leaver", "password": testPassword}).status)

	r := c.do(http.MethodPost, "/auth/logout", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.NotNil(t, r.cookie)
	require.Equal(t, -1, r.cookie.MaxAge, "cookie cleared")
	require.Equal(t, http.StatusUnauthorized, c.do(http.MethodGet, "/auth/me", nil).status)

	// replaying the old, validly signed cookie does not work: the session is gone
	replay := f.withCookie(old)
	r = replay.do(http.MethodGet, "/auth/me", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "Authentication required", r.detail())
	require.Equal(t, http.StatusOK, other.do(http.MethodGet, "/auth/me", nil).status)

	// logout without a session is fine
	require.Equal(t, http.StatusOK, f.anon().do(http.MethodPost, "/auth/logout", nil).status)
}

func TestPasswordChangeInvalidatesSessions(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("changer")
	other := f.browser()
	require.Equal(t, http.StatusOK, other.do(http.MethodPost, "/auth/login", map[string]any{"username": "changer", "password": testPassword}).status)
	old := c.sessionCookie()

	r := c.do(http.MethodPost, "/api/account/password", map[string]any{"current_password": "nope-nope-nope", "new_password": "another-password"})
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "current password is incorrect", r.detail())
	r = c.do(http.MethodPost, "/api/account/password", map[string]any{"current_password": testPassword, "new_password": "short"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, string(r.body), `"loc":["body","new_password"]`)
	r = c.do(http.MethodPost, "/api/account/password", map[string]any{"current_password": testPassword})
	require.Equal(t, http.StatusBadRequest, r.status)

	r = c.do(http.MethodPost, "/api/account/password", map[string]any{"current_password": testPassword, "new_password": "another-password"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.NotNil(t, r.cookie, "the changing browser gets a fresh session")
	require.NotEqual(t, old, r.cookie.Value)
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/auth/me", nil).status)
	require.Equal(t, http.StatusUnauthorized, other.do(http.MethodGet, "/auth/me", nil).status, "other browsers are signed out")
	require.Equal(t, http.StatusUnauthorized, f.withCookie(old).do(http.MethodGet, "/auth/me", nil).status, "the old cookie is dead")

	require.Equal(t, http.StatusUnauthorized, f.browser().do(http.MethodPost, "/auth/login",
		map[string]any{"username": "changer", "password": testPassword}).status)
	require.Equal(t, http.StatusOK, f.browser().do(http.MethodPost, "/auth/login",
		map[string]any{"username": "changer", "password": "another-password"}).status)
}

func TestSessionCookieForgeries(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("victim")
	good := c.sessionCookie()
	parts := strings.Split(good, ".")
	require.Len(t, parts, 3)

	// alg "none" with the same claims, a flipped signature, a key of our own
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "1", "jti": "aaaaaaaaaaaaaaaaaaaaaa", "exp": acctStart.Add(time.Hour).Unix()})
	noneTok, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	other := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "1", "jti": "aaaaaaaaaaaaaaaaaaaaaa", "exp": acctStart.Add(time.Hour).Unix()})
	otherTok, err := other.SignedString([]byte("not-the-server-secret-not-the-server"))
	require.NoError(t, err)
	sig := []byte(parts[2])
	sig[0] ^= 1
	flipped := parts[0] + "." + parts[1] + "." + string(sig)

	for _, v := range []string{noneTok, otherTok, flipped, "garbage", strings.Repeat("a", 5000)} {
		r := f.withCookie(v).do(http.MethodGet, "/auth/me", nil)
		require.Equal(t, http.StatusUnauthorized, r.status, v)
		// a bad cookie is dropped on public routes, not an error
		r = f.withCookie(v).do(http.MethodGet, "/health", nil)
		require.NotEqual(t, http.StatusUnauthorized, r.status)
	}
	r := f.withCookie("garbage").do(http.MethodGet, "/api/keys", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.NotNil(t, r.cookie, "the bad cookie is cleared")
	require.Equal(t, -1, r.cookie.MaxAge)
}

func TestSessionExpiresAfter30Days(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("sleeper")
	f.clock.Add(29 * 24 * time.Hour)
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/auth/me", nil).status)
	f.clock.Add(24*time.Hour + time.Second)
	require.Equal(t, http.StatusUnauthorized, c.do(http.MethodGet, "/auth/me", nil).status)
}

func TestProfileUpdate(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("profiled")
	r := c.do(http.MethodPatch, "/auth/me", map[string]any{"display_name": "  Pro Filed ", "country": "de"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var me map[string]any
	r.json(&me)
	require.Equal(t, "Pro Filed", me["display_name"])
	require.Equal(t, "DE", me["country"])

	r = c.do(http.MethodPatch, "/auth/me", map[string]any{"country": ""})
	require.Equal(t, http.StatusOK, r.status)
	r.json(&me)
	require.Nil(t, me["country"], "empty clears")
	require.Equal(t, "Pro Filed", me["display_name"], "absent stays")

	r = c.do(http.MethodPatch, "/auth/me", map[string]any{"country": "Germany", "display_name": strings.Repeat("x", 61)})
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	var e struct {
		Detail []struct {
			Loc []string `json:"loc"`
		} `json:"detail"`
	}
	r.json(&e)
	require.Len(t, e.Detail, 2, "every bad field listed")
}

func TestCSRFOriginCheck(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("csrf-user")
	body := map[string]any{"name": "k"}

	// a cookie-authenticated write from a foreign origin is refused: a
	// foreign Origin already by the CORS allow-list (every method), a
	// foreign or unreadable Referer, or neither header, by the CSRF check
	for _, hdr := range [][]string{
		{"Origin", "https://evil.example"},
		{"Origin", "null"},
	} {
		r := c.do(http.MethodPost, "/api/keys", body, hdr...)
		require.Equal(t, http.StatusForbidden, r.status, "%v", hdr)
	}
	for _, hdr := range [][]string{
		{"Origin", "", "Referer", "https://evil.example/page"},
		{"Origin", "", "Referer", "https://collectorstashmarket.com.evil.example/"},
		{"Origin", "", "Referer", "not a url"},
	} {
		for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut} {
			r := c.do(m, "/api/keys", body, hdr...)
			require.Equal(t, http.StatusForbidden, r.status, "%s %v", m, hdr)
			require.Contains(t, r.detail(), "Cross-site request rejected")
		}
	}
	r := c.do(http.MethodPost, "/auth/logout", nil, "Origin", "", "Referer", "https://evil.example/")
	require.Equal(t, http.StatusForbidden, r.status, "no forced logout either")
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/auth/me", nil, "Referer", "https://evil.example/").status, "reads are fine")

	// allowed: the allow-list, this server's own origin, an allowed Referer
	for _, hdr := range [][]string{
		{"Origin", "https://shop.example"},
		{"Origin", "http://localhost:5173"},
		{"Origin", f.url},
		{"Origin", "", "Referer", f.url + "/dashboard"},
		// neither header: not a browser (browsers send Origin on
		// cross-origin writes) but a client holding the cookie itself, as
		// the documented `curl -b cookies.txt -X POST` examples do
		{"Origin", ""},
	} {
		r := c.do(http.MethodPatch, "/auth/me", map[string]any{"display_name": "x"}, hdr...)
		require.Equal(t, http.StatusOK, r.status, "%v: %s", hdr, r.body)
	}

	// login CSRF: a foreign page cannot sign the victim in to another account
	r = f.browser().do(http.MethodPost, "/auth/login", map[string]any{"username": "csrf-user", "password": testPassword}, "Origin", "", "Referer", "https://evil.example/")
	require.Equal(t, http.StatusForbidden, r.status)
	require.Nil(t, r.cookie)
	// curl-like callers without Origin and without a cookie are fine
	r = f.anon().do(http.MethodPost, "/auth/login", map[string]any{"username": "csrf-user", "password": testPassword})
	require.Equal(t, http.StatusOK, r.status)

	// API-key requests carry no ambient authority: no Origin check
	key, _ := c.newKey("csrf")
	r = f.apiClient(key).do(http.MethodPatch, "/auth/me", map[string]any{"display_name": "y"}, "Referer", "https://evil.example/")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
}
