package api_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// sseEvents reads an event stream until it ends (or 30 s pass) and returns
// the event names in order.
func (c *client) sseEvents(path string) (int, []string) {
	t := c.f.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.f.url+path, nil)
	require.NoError(t, err)
	for k, v := range c.header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var events []string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if ev, ok := strings.CutPrefix(sc.Text(), "event:"); ok {
			events = append(events, strings.TrimSpace(ev))
		}
	}
	require.NoError(t, ctx.Err(), "the stream ended by itself")
	return res.StatusCode, events
}

// TestRecognitionRoutes walks the recognition routes end to end over the
// real queue and worker (a stand-in pipeline): every exchange is checked
// against the OpenAPI document by the shared setup.
func TestRecognitionRoutes(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t, acctOptions{recognition: true})
	img := photo(t, 64, 88)

	anon := f.anon()
	r := anon.upload("/api/cards/recognize", "image", [][]byte{img}, nil)
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)

	name := uniqueName("rec")
	b := f.register(name)
	f.setTier(name, catalog.TierStarter)

	r = b.upload("/api/cards/detect", "image", [][]byte{img}, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = b.upload("/api/cards/detect", "image", nil, map[string]string{"tcg_slug": "pokemon"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	r = b.upload("/api/cards/recognize", "image", [][]byte{[]byte("not an image")}, nil)
	require.Equal(t, http.StatusUnsupportedMediaType, r.status, "%s", r.body)

	r = b.upload("/api/cards/recognize", "image", [][]byte{img}, map[string]string{"tcg_slug": "pokemon", "debug": "true"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var scan struct {
		ScanID     string `json:"scan_id"`
		Candidates []struct {
			CardID int64 `json:"card_id"`
		} `json:"candidates"`
	}
	r.json(&scan)
	require.NotEmpty(t, scan.ScanID)
	require.Equal(t, int64(441076), scan.Candidates[0].CardID)

	r = b.do(http.MethodGet, "/api/cards/recognize/"+scan.ScanID, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = f.register(uniqueName("other")).do(http.MethodGet, "/api/cards/recognize/"+scan.ScanID, nil)
	require.Equal(t, http.StatusForbidden, r.status, "another user: %s", r.body)
	r = b.do(http.MethodGet, "/api/cards/recognize/20260101_000000_00000000", nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)

	r = b.do(http.MethodPost, "/api/cards/recognize/feedback", map[string]any{"scan_id": scan.ScanID, "card_id": 441076})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var fb struct {
		ImageURL string `json:"image_url"`
	}
	r.json(&fb)
	r = b.do(http.MethodPost, "/api/cards/recognize/feedback", map[string]any{"scan_id": scan.ScanID})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)

	// the confirmed photo and the real-time helper under /static
	r = b.do(http.MethodGet, fb.ImageURL, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = anon.do(http.MethodGet, "/static/js/csm-realtime.js", nil)
	require.Equal(t, http.StatusOK, r.status)
	r = anon.do(http.MethodHead, "/static/js/csm-realtime.js", nil)
	require.Equal(t, http.StatusOK, r.status)
	r = anon.do(http.MethodGet, "/static/nothing/here.jpg", nil)
	require.Equal(t, http.StatusNotFound, r.status)

	r = b.upload("/api/cards/recognize/bulk", "images", [][]byte{img, img}, nil)
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	var batch struct {
		BatchID   string `json:"batch_id"`
		StatusURL string `json:"status_url"`
		EventsURL string `json:"events_url"`
	}
	r.json(&batch)
	st, events := b.sseEvents(batch.EventsURL)
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "completed", events[len(events)-1], "events %v", events)
	r = b.do(http.MethodGet, batch.StatusURL, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = b.do(http.MethodGet, "/api/cards/recognize/bulk/bnope", nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
}

// TestScanSessionRoutes walks a scan session from the desktop and the
// phone, and the pages around it.
func TestScanSessionRoutes(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t, acctOptions{recognition: true})
	name := uniqueName("desk")
	desk := f.register(name)
	f.setTier(name, catalog.TierStarter)
	anon := f.anon()

	r := anon.do(http.MethodPost, "/api/scan-sessions", nil)
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
	r = desk.do(http.MethodPost, "/api/scan-sessions", nil)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var sess struct {
		SessionID  string `json:"session_id"`
		ClaimToken string `json:"claim_token"`
		QRURL      string `json:"qr_url"`
	}
	r.json(&sess)
	base := "/api/scan-sessions/" + sess.SessionID
	tok := "?token=" + url.QueryEscape(sess.ClaimToken)

	r = desk.do(http.MethodGet, base, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = anon.do(http.MethodGet, base, nil)
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
	r = anon.do(http.MethodGet, sess.QRURL, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, "image/png", r.header.Get("Content-Type"))
	r = anon.do(http.MethodGet, base+"/qr.png?t=wrong", nil)
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)

	phone := f.anon()
	r = phone.upload(base+"/upload-photo"+tok, "image", [][]byte{photo(t, 64, 88)}, nil)
	require.Equal(t, http.StatusConflict, r.status, "not claimed yet: %s", r.body)
	r = phone.do(http.MethodPost, base+"/claim"+tok, map[string]any{"device_name": "Pixel"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = phone.do(http.MethodPost, base+"/claim"+tok, map[string]any{"device_name": "Pixel"})
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	r = phone.upload(base+"/upload-photo"+tok, "image", [][]byte{photo(t, 64, 88)}, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = phone.do(http.MethodPost, base+"/results"+tok, map[string]any{"cards": []any{}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	r = phone.do(http.MethodPost, base+"/results"+tok, map[string]any{"cards": []any{map[string]any{"card_index": 0}}})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = phone.do(http.MethodPost, base+"/complete"+tok, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	st, events := desk.sseEvents(base + "/sse")
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, []string{"claimed", "photo", "result", "completed"}, events)
	r = anon.do(http.MethodGet, base+"/sse", nil)
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
	r = desk.do(http.MethodGet, "/api/scan-sessions/01JX0000000000000000000000", nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)

	// the pages
	noRedirect := f.anon()
	noRedirect.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, p := range []string{"/scan", "/scan-sessions/new", "/scan-pwa", base[len("/api"):] + "/review"} {
		r = noRedirect.do(http.MethodGet, p, nil)
		require.Equal(t, http.StatusFound, r.status, p)
		r = desk.do(http.MethodGet, p, nil)
		require.Equal(t, http.StatusOK, r.status, p)
	}
	r = desk.do(http.MethodGet, "/scan-sessions/not-a-ulid/review", nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	for _, p := range []string{"/login?next=/scan", "/scan-pwa?session=" + sess.SessionID + "&t=x",
		"/scan-pwa/manifest.json", "/scan-pwa/sw.js", "/scan-pwa/assets/app.css", "/scan-pwa/assets/pwa.js"} {
		r = anon.do(http.MethodGet, p, nil)
		require.Equal(t, http.StatusOK, r.status, p)
	}
	r = anon.do(http.MethodGet, "/scan-pwa/assets/missing.js", nil)
	require.Equal(t, http.StatusNotFound, r.status)
}
