package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/postgres/pgtest"
)

// TestKeyRevokeSeenByEveryProcess: two `csm serve` processes on one
// database and Redis cache API key lookups (for a minute here, so only the
// invalidation can end one early). A key used on B is revoked on A: B
// refuses it within 100 ms of the revoke's answer.
func TestKeyRevokeSeenByEveryProcess(t *testing.T) {
	t.Parallel()
	bin := buildCSM(t)
	db, schemaURL := pgtest.New(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	env := []string{
		"CSM_DATABASE_URL=" + schemaURL,
		"CSM_REDIS_ADDR=" + redisAddr(),
		"CSM_RATELIMIT_PREFIX=e2e:" + hex.EncodeToString(b) + ":",
		"CSM_SESSION_SECRET=e2e-session-secret-shared-by-both-processes",
		"CSM_KEY_CACHE_TTL=1m",
		"CSM_DATA_DIR=" + t.TempDir(),
	}
	addrA, addrB := freeAddr(t), freeAddr(t)
	startServe(t, bin, addrA, env)
	logsB := startServe(t, bin, addrB, env)
	a, bURL := "http://"+addrA, "http://"+addrB
	client := &http.Client{Timeout: 5 * time.Second}
	call := func(method, url string, body any, hdr ...string) (int, http.Header, []byte) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			j, _ := json.Marshal(body)
			rd = bytes.NewReader(j)
		}
		req, err := http.NewRequest(method, url, rd)
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := client.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, out
	}

	st, h, body := call("POST", a+"/auth/register", map[string]any{"username": "revoker", "email": "revoker@example.com", "password": "revoke-password-1"})
	require.Equal(t, http.StatusCreated, st, "%s", body)
	var cookie string
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Name == "tcg_session" {
			cookie = ck.Value
		}
	}
	require.NotEmpty(t, cookie)
	st, _, body = call("POST", a+"/api/keys", map[string]any{"name": "k"}, "Cookie", "tcg_session="+cookie, "Origin", a)
	require.Equal(t, http.StatusCreated, st, "%s", body)
	var k struct {
		ID  int64  `json:"id"`
		Key string `json:"key"`
	}
	require.NoError(t, json.Unmarshal(body, &k))

	// B holds the key in its cache: once its cache is live, a revoke made
	// behind its back (plain SQL, no invalidation) goes unseen by B
	sneak := func(active bool) {
		_, err := db.Pool.Exec(t.Context(), `UPDATE api_keys SET is_active = $2 WHERE id = $1`, k.ID, active)
		require.NoError(t, err)
	}
	cached := false
	for end := time.Now().Add(10 * time.Second); !cached && time.Now().Before(end); {
		sneak(true)
		st, _, body = call("GET", bURL+"/api/v2/games", nil, "X-API-Key", k.Key)
		require.Equal(t, http.StatusOK, st, "%s", body)
		sneak(false)
		st, _, _ = call("GET", bURL+"/api/v2/games", nil, "X-API-Key", k.Key)
		cached = st == http.StatusOK
		time.Sleep(50 * time.Millisecond)
	}
	require.True(t, cached, "process B never served the key from its cache; its logs:\n%s", logsB)
	sneak(true) // B still holds the active key; only an invalidation ends that early

	st, _, body = call("DELETE", a+"/api/keys/"+strconv.FormatInt(k.ID, 10), nil, "Cookie", "tcg_session="+cookie, "Origin", a)
	require.Contains(t, []int{http.StatusOK, http.StatusNoContent}, st, "%s", body)
	revoked := time.Now()
	var took time.Duration
	for {
		st, _, _ = call("GET", bURL+"/api/v2/games", nil, "X-API-Key", k.Key)
		if st == http.StatusUnauthorized {
			took = time.Since(revoked)
			break
		}
		require.Equal(t, http.StatusOK, st)
		require.Less(t, time.Since(revoked), 2*time.Second, "process B still takes the revoked key; its logs:\n%s", logsB)
		time.Sleep(2 * time.Millisecond)
	}
	t.Logf("process B refused the key revoked on A %s after the revoke answered", took)
	require.LessOrEqual(t, took, 100*time.Millisecond, "a revoke reaches every process within 100 ms")
}
