package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAccountDeletionAndCancel(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t)
	c := f.register("quitter")
	key, _ := c.newKey("k")

	for _, confirm := range []string{"", "DELETE", "delete quitter", "DELETE Quitter", "DELETE quitter2", "DELETE  quitter"} {
		r := c.do(http.MethodPost, "/api/account/delete", map[string]any{"confirm": confirm})
		require.Equal(t, http.StatusBadRequest, r.status, confirm)
		require.Equal(t, `confirm must equal "DELETE quitter"`, r.detail())
	}
	r := c.do(http.MethodPost, "/api/account/delete", map[string]any{"confirm": "DELETE quitter"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var out map[string]any
	r.json(&out)
	require.Equal(t, "2026-06-06T12:00:00Z", out["deletion_scheduled_at"], "24 h to cancel")
	var me map[string]any
	c.do(http.MethodGet, "/auth/me", nil).json(&me)
	require.Equal(t, "2026-06-06T12:00:00Z", me["deletion_scheduled_at"])

	// asking again keeps the first time
	f.clock.Add(time.Hour)
	c.do(http.MethodPost, "/api/account/delete", map[string]any{"confirm": "DELETE quitter"}).json(&out)
	require.Equal(t, "2026-06-06T12:00:00Z", out["deletion_scheduled_at"])

	// cancel within the grace period
	r = c.do(http.MethodPost, "/api/account/delete/cancel", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	c.do(http.MethodGet, "/auth/me", nil).json(&me)
	require.Nil(t, me["deletion_scheduled_at"])

	// flag again and let the 24 h pass: the account is gone for every credential
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/api/account/delete", map[string]any{"confirm": " DELETE quitter "}).status)
	f.clock.Add(24*time.Hour - time.Second)
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/auth/me", nil).status, "still inside the grace period")
	require.Equal(t, http.StatusOK, f.apiClient(key).do(http.MethodGet, "/auth/me", nil).status)
	f.clock.Add(time.Second)
	require.Equal(t, http.StatusUnauthorized, c.do(http.MethodGet, "/auth/me", nil).status)
	require.Equal(t, http.StatusUnauthorized, c.do(http.MethodPost, "/api/account/delete/cancel", nil).status, "too late to cancel")
	require.Equal(t, http.StatusUnauthorized, f.apiClient(key).do(http.MethodGet, "/auth/me", nil).status)
	require.Equal(t, http.StatusUnauthorized, f.browser().do(http.MethodPost, "/auth/login",
		map[string]any{"username": "quitter", "password": testPassword}).status)

	// the purge removes the row, its sessions and keys; the name is free again
	n, err := f.db.PurgeDeleted(t.Context(), f.clock.Now())
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	var left int
	require.NoError(t, f.db.Pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM sessions)`).Scan(&left))
	require.Zero(t, left)
	f.register("quitter")
}
