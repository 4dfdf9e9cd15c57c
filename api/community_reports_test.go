package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReportsAPI(t *testing.T) {
	t.Parallel()
	f := setupCommunity(t)
	alice, _, _ := f.member("alice")
	bob, bobID, _ := f.member("bob")
	admin := f.admin()

	r := alice.do(http.MethodPost, "/api/reports", map[string]any{"target_type": "user", "target_id": bobID, "reason": "spams the forum", "category": "spam"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var rep struct {
		ID         int64  `json:"id"`
		TargetType string `json:"target_type"`
		Status     string `json:"status"`
		Category   string `json:"category"`
	}
	r.json(&rep)
	require.Equal(t, "open", rep.Status)
	require.Equal(t, "spam", rep.Category)
	r = alice.do(http.MethodPost, "/api/reports", map[string]any{"target_type": "user", "target_id": bobID, "reason": "again"})
	require.Equal(t, http.StatusConflict, r.status)

	for _, b := range []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"target_type": "listing", "target_id": 1, "reason": "x"}, http.StatusNotFound},
		{map[string]any{"target_type": "message", "target_id": 1, "reason": "x"}, http.StatusNotFound},
		{map[string]any{"target_type": "forum_post", "target_id": 1, "reason": "x"}, http.StatusNotFound},
		{map[string]any{"target_type": "card", "target_id": 1, "reason": "x"}, http.StatusUnprocessableEntity},
		{map[string]any{"target_type": "user", "target_id": 1, "reason": strings.Repeat("x", 501)}, http.StatusUnprocessableEntity},
		{map[string]any{"target_type": "user", "target_id": 1, "reason": "x", "category": "rude"}, http.StatusUnprocessableEntity},
		{map[string]any{"target_type": "user", "reason": "x"}, http.StatusUnprocessableEntity},
		{map[string]any{"target_type": "user", "target_id": "1", "reason": "x"}, http.StatusBadRequest},
	} {
		r = alice.do(http.MethodPost, "/api/reports", b.body)
		require.Equal(t, b.status, r.status, "%v: %s", b.body, r.body)
	}

	var list struct {
		Items []map[string]any `json:"items"`
		Total int64            `json:"total"`
	}
	r = alice.do(http.MethodGet, "/api/reports", nil)
	require.Equal(t, http.StatusOK, r.status)
	r.json(&list)
	require.Equal(t, int64(1), list.Total)

	// the admin queue
	r = bob.do(http.MethodGet, "/api/admin/reports", nil)
	require.Equal(t, http.StatusForbidden, r.status)
	r = admin.do(http.MethodGet, "/api/admin/reports", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&list)
	require.Len(t, list.Items, 1)
	r = admin.do(http.MethodGet, "/api/admin/reports?status=closed", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	path := "/api/admin/reports/" + strconv.FormatInt(rep.ID, 10) + "/resolve"
	r = bob.do(http.MethodPost, path, map[string]any{"status": "dismissed"})
	require.Equal(t, http.StatusForbidden, r.status)
	r = admin.do(http.MethodPost, path, map[string]any{"status": "dismissed", "resolution": "not spam"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&rep)
	require.Equal(t, "dismissed", rep.Status)
	r = admin.do(http.MethodPost, path, map[string]any{"status": "resolved"})
	require.Equal(t, http.StatusConflict, r.status)
	r = admin.do(http.MethodPost, "/api/admin/reports/999999/resolve", nil)
	require.Equal(t, http.StatusNotFound, r.status)
	r = admin.do(http.MethodGet, "/api/admin/reports?status=all", nil)
	r.json(&list)
	require.Len(t, list.Items, 1)
}
