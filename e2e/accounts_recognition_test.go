package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/ratelimit"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/workers"
)

// noDetections is the cheap detector of /detect: it finds nothing.
type noDetections struct{}

func (noDetections) DetectOverlay(context.Context, []byte) ([]catalog.Detection, []byte, error) {
	return nil, []byte("png"), nil
}

type quotaFixture struct {
	t   *testing.T
	url string
	db  *postgres.DB
	lim *ratelimit.Limiter
	mu  sync.Mutex
	now time.Time
}

func (f *quotaFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *quotaFixture) setClock(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
}

// setupQuota serves the recognition routes with accounts and the limiter,
// on a private asynq queue that no worker takes: /recognize answers 202
// after its short wait, which is all the quota needs.
func setupQuota(t *testing.T) *quotaFixture {
	t.Helper()
	db, _ := pgtest.New(t)
	ctx := context.Background()
	_, err := demo.Load(ctx, db, db, demo.Options{Today: time.Now().UTC(), Days: 2})
	require.NoError(t, err)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "e2e:" + hex.EncodeToString(b)
	q := workers.NewQueue(redisAddr())
	q.QueueName = "quota-" + prefix
	lim := ratelimit.Open(redisAddr(), prefix+":")
	f := &quotaFixture{t: t, db: db, lim: lim, now: time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	secret := []byte("quota-secret-quota-secret-quota-secret")
	scans := scanService(t, scanning.Config{Store: db, Queue: q, Wait: 20 * time.Millisecond, Now: f.clock, Log: quiet}, t.TempDir(), secret, nil)
	apiH, err := api.New(api.Config{Catalog: db, Scanning: scans, Detect: noDetections{}, ValidateImage: validateJPEG,
		Log: quiet, Accounts: db, Keys: db, Limiter: lim, Now: f.clock, SessionSecret: secret})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, apiH))
	t.Cleanup(func() {
		srv.Close()
		insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: redisAddr()})
		_ = insp.DeleteQueue(q.QueueName, true) // the tasks nobody ran
		_ = insp.Close()
		_ = q.Close()
		_ = lim.Close()
	})
	f.url = srv.URL
	return f
}

// user creates an account of tier with one key; it returns the key, the
// key's id and a session cookie.
func (f *quotaFixture) user(name string, tier catalog.Tier) (key string, keyID int64, cookie string) {
	t := f.t
	t.Helper()
	body, _ := json.Marshal(map[string]any{"username": name, "email": name + "@example.com", "password": "quota-password"})
	res, err := http.Post(f.url+"/auth/register", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
	for _, ck := range res.Cookies() {
		if ck.Name == api.SessionCookie {
			cookie = ck.Value
		}
	}
	_, err = f.db.SetTier(context.Background(), name, tier)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodPost, f.url+"/api/keys", bytes.NewReader([]byte(`{"name":"scanner"}`)))
	req.Header.Set("Cookie", api.SessionCookie+"="+cookie)
	req.Header.Set("Origin", f.url)
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
	var k struct {
		ID  int64  `json:"id"`
		Key string `json:"key"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&k))
	return k.Key, k.ID, cookie
}

// send posts n JPEG parts (0: a JSON body) to path with the header pairs.
func (f *quotaFixture) send(path string, n int, json string, hdr ...string) (int, http.Header, string) {
	t := f.t
	t.Helper()
	var body bytes.Buffer
	ctype := "application/json"
	if n > 0 {
		w := multipart.NewWriter(&body)
		field := "image"
		if n > 1 {
			field = "images"
		}
		for i := range n {
			p, err := w.CreateFormFile(field, fmt.Sprintf("p%d.jpg", i))
			require.NoError(t, err)
			_, _ = p.Write(jpegOf(t, 16, 16, uint8(i)))
		}
		require.NoError(t, w.Close())
		ctype = w.FormDataContentType()
	} else {
		body.WriteString(json)
	}
	req, err := http.NewRequest(http.MethodPost, f.url+path, &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", ctype)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(out)
}

func TestRecognitionAccessAndQuota(t *testing.T) {
	t.Parallel()
	f := setupQuota(t)
	freeKey, _, _ := f.user("freebie", catalog.TierFree)
	key, keyID, cookie := f.user("starter", catalog.TierStarter)
	bearer := []string{"Authorization", "Bearer " + key}
	ctx := context.Background()

	// who may call: starter+ or a session (401 / 403 otherwise)
	for _, path := range []string{"/api/cards/recognize", "/api/cards/recognize/bulk", "/api/cards/detect"} {
		st, _, _ := f.send(path, 1, "")
		require.Equal(t, http.StatusUnauthorized, st, path)
		st, _, body := f.send(path, 1, "", "X-API-Key", freeKey)
		require.Equal(t, http.StatusForbidden, st, path)
		require.Contains(t, body, "Starter tier")
	}
	st, _, _ := f.send("/api/cards/recognize/feedback", 0, `{}`)
	require.Equal(t, http.StatusUnauthorized, st)

	// a session is unlimited and spends nothing
	st, h, body := f.send("/api/cards/recognize", 1, "", "Cookie", api.SessionCookie+"="+cookie, "Origin", f.url)
	require.Equal(t, http.StatusAccepted, st, body)
	require.Empty(t, h.Get("X-Recognition-Remaining"))
	// as the seed's `curl -b cookies.txt -X POST …/recognize` sends it: no Origin
	st, _, body = f.send("/api/cards/recognize", 1, "", "Cookie", api.SessionCookie+"="+cookie)
	require.Equal(t, http.StatusAccepted, st, body)

	// a starter key: 25 a day; 23 already spent
	_, err := f.lim.TakeDaily(ctx, fmt.Sprintf("rec:key:%d", keyID), 23, catalog.Unlimited, f.clock())
	require.NoError(t, err)
	st, h, body = f.send("/api/cards/recognize", 1, "", bearer...)
	require.Equal(t, http.StatusAccepted, st, body)
	require.Equal(t, "25", h.Get("X-Recognition-Limit"))
	require.Equal(t, "1", h.Get("X-Recognition-Remaining"))
	var scan struct {
		ScanID string `json:"scan_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &scan))

	// bulk counts one per image, all or nothing: 2 images with 1 left is refused
	st, h, body = f.send("/api/cards/recognize/bulk", 2, "", bearer...)
	require.Equal(t, http.StatusTooManyRequests, st, body)
	require.Equal(t, "43200", h.Get("Retry-After"))
	require.Contains(t, body, "Daily recognition quota exceeded (25 scans a day). Retry after 43200 seconds.")
	st, h, body = f.send("/api/cards/recognize/bulk", 1, "", bearer...)
	require.Equal(t, http.StatusAccepted, st, body)
	require.Equal(t, "0", h.Get("X-Recognition-Remaining"))

	// used up: recognize and bulk refuse, detect and feedback still work
	st, _, _ = f.send("/api/cards/recognize", 1, "", bearer...)
	require.Equal(t, http.StatusTooManyRequests, st)
	st, _, _ = f.send("/api/cards/recognize/bulk", 3, "", bearer...)
	require.Equal(t, http.StatusTooManyRequests, st)
	st, _, body = f.send("/api/cards/detect", 1, "", bearer...)
	require.Equal(t, http.StatusOK, st, body)
	st, _, body = f.send("/api/cards/recognize/feedback", 0, `{"scan_id":"`+scan.ScanID+`","card_id":600003}`, bearer...)
	require.Equal(t, http.StatusCreated, st, body)
	used, err := f.lim.UsedToday(ctx, []string{fmt.Sprintf("rec:key:%d", keyID)}, f.clock())
	require.NoError(t, err)
	require.Equal(t, []int64{25}, used, "detect and feedback spent nothing")

	// a new UTC day brings the quota back
	f.setClock(time.Date(2026, 6, 6, 0, 0, 0, 0, time.UTC))
	st, h, body = f.send("/api/cards/recognize", 1, "", bearer...)
	require.Equal(t, http.StatusAccepted, st, body)
	require.Equal(t, "24", h.Get("X-Recognition-Remaining"))
}

// TestScansBelongToTheirOwner: a scan or batch is readable (and confirmable)
// by the account that made it only; a rejected upload spends no quota.
func TestScansBelongToTheirOwner(t *testing.T) {
	t.Parallel()
	f := setupQuota(t)
	keyA, keyAID, _ := f.user("alice", catalog.TierStarter)
	keyB, _, _ := f.user("bob", catalog.TierPro)
	ctx := context.Background()

	st, _, body := f.send("/api/cards/recognize", 1, "", "X-API-Key", keyA)
	require.Equal(t, http.StatusAccepted, st, body)
	var scan struct {
		ScanID string `json:"scan_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &scan))
	st, _, body = f.send("/api/cards/recognize/bulk", 2, "", "X-API-Key", keyA)
	require.Equal(t, http.StatusAccepted, st, body)
	var batch struct {
		BatchID string `json:"batch_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &batch))

	get := func(path string, hdr ...string) int {
		req, err := http.NewRequest(http.MethodGet, f.url+path, nil)
		require.NoError(t, err)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	for _, p := range []string{"/api/cards/recognize/" + scan.ScanID, "/api/cards/recognize/bulk/" + batch.BatchID} {
		require.Less(t, get(p, "X-API-Key", keyA), 300, p)
		require.Equal(t, http.StatusForbidden, get(p, "X-API-Key", keyB), p)
		require.Equal(t, http.StatusUnauthorized, get(p), p)
	}
	st, _, _ = f.send("/api/cards/recognize/feedback", 0, `{"scan_id":"`+scan.ScanID+`","card_id":600003}`, "X-API-Key", keyB)
	require.Equal(t, http.StatusForbidden, st)

	// an upload refused at the edge costs nothing
	req, err := http.NewRequest(http.MethodPost, f.url+"/api/cards/recognize", strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.txt\"\r\n\r\nnot an image\r\n--x--\r\n"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("X-API-Key", keyA)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnsupportedMediaType, res.StatusCode)
	used, err := f.lim.UsedToday(ctx, []string{fmt.Sprintf("rec:key:%d", keyAID)}, f.clock())
	require.NoError(t, err)
	require.Equal(t, []int64{3}, used, "1 recognize + 2 bulk images; the 415 spent nothing")
}
