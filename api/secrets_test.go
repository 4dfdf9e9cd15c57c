package api_test

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"
)

// TestNoSecretLeaks runs every credential-bearing flow with the server
// logging at debug level, then checks that no password, key, cookie or
// api_key query value appears in the log, and that no table holds a
// password, key or session id in the clear.
func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	const pw1, pw2 = "first-Secret-pass-1", "second-Secret-pass-2"
	c := f.browser()
	r := c.do(http.MethodPost, "/auth/register", map[string]any{"username": "secretive", "email": "s@example.com", "password": pw1})
	require.Equal(t, http.StatusCreated, r.status)
	cookies := []string{c.sessionCookie()}
	require.Equal(t, http.StatusUnauthorized, f.browser().do(http.MethodPost, "/auth/login", map[string]any{"username": "secretive", "password": pw2}).status)
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/auth/login", map[string]any{"username": "secretive", "password": pw1}).status)
	cookies = append(cookies, c.sessionCookie())

	key, _ := c.newKey("k")
	bogus := "csm_" + strings.Repeat("Z", 40)
	anon := f.anon()
	require.Equal(t, http.StatusOK, anon.do(http.MethodGet, "/auth/me?api_key="+url.QueryEscape(key), nil).status)
	require.Equal(t, http.StatusOK, anon.do(http.MethodGet, "/api/v2/games?api_key="+key, nil).status)
	require.Equal(t, http.StatusOK, anon.do(http.MethodGet, "/auth/me", nil, "X-API-Key", key).status)
	require.Equal(t, http.StatusUnauthorized, anon.do(http.MethodGet, "/auth/me?api_key="+bogus, nil).status)
	require.Equal(t, http.StatusUnauthorized, anon.do(http.MethodGet, "/api/nothing?api_key=half-"+bogus, nil).status)
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/api/account/password", map[string]any{"current_password": pw1, "new_password": pw2}).status)
	cookies = append(cookies, c.sessionCookie())
	require.Equal(t, http.StatusBadRequest, c.do(http.MethodPost, "/api/account/password", map[string]any{"current_password": pw1, "new_password": pw2}).status)
	admin := f.admin()
	require.Equal(t, http.StatusOK, admin.do(http.MethodPut, "/api/admin/users/secretive/tier", map[string]any{"tier": "pro"}).status)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	c.do(http.MethodGet, "/api/keys", nil).json(&list)
	require.Equal(t, http.StatusNoContent, c.do(http.MethodDelete, fmt.Sprintf("/api/keys/%v", list.Items[0]["id"]), nil).status)
	require.Equal(t, http.StatusUnauthorized, anon.do(http.MethodGet, "/auth/me?api_key="+key, nil).status)
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/auth/logout", nil).status)

	// the session ids inside the cookies
	var sids []string
	for _, ck := range cookies {
		require.NotEmpty(t, ck)
		var claims jwt.RegisteredClaims
		_, _, err := jwt.NewParser().ParseUnverified(ck, &claims)
		require.NoError(t, err)
		sids = append(sids, claims.ID)
	}

	secrets := append([]string{pw1, pw2, key, bogus, url.QueryEscape(key)}, cookies...)
	secrets = append(secrets, sids...)
	logs := f.logs.String()
	require.Contains(t, logs, "request", "the request log was captured")
	require.Contains(t, logs, "/auth/me")
	for _, s := range secrets {
		require.NotContains(t, logs, s)
	}
	require.NotContains(t, logs, "api_key=")

	// every row of every table of the test schema, as text
	rows, err := f.db.Pool.Query(t.Context(), `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(t, rows.Err())
	require.Contains(t, tables, "users")
	require.Contains(t, tables, "api_keys")
	var dump strings.Builder
	for _, tbl := range tables {
		rs, err := f.db.Pool.Query(t.Context(), `SELECT t::text FROM `+tbl+` t`)
		require.NoError(t, err)
		for rs.Next() {
			var line string
			require.NoError(t, rs.Scan(&line))
			dump.WriteString(line + "\n")
		}
		require.NoError(t, rs.Err())
	}
	db := dump.String()
	require.Contains(t, db, "secretive", "the dump holds the account")
	require.Contains(t, db, key[:12], "the visible prefix is kept")
	for _, s := range append(secrets, hex.EncodeToString([]byte(key)), base64.StdEncoding.EncodeToString([]byte(key)),
		hex.EncodeToString([]byte(pw1)), hex.EncodeToString([]byte(pw2))) {
		require.NotContains(t, db, s)
	}
	require.Contains(t, db, "$argon2id$", "passwords are argon2id hashes")
}
