package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/workers"
)

// greyJPEG is a w×h JPEG of one grey value (the fake embedder's tag).
func greyJPEG(t testing.TB, w, h int, v uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}))
	return b.Bytes()
}

// multipartImage is a multipart body with one "image" part.
func multipartImage(t testing.TB, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	p, err := w.CreateFormFile("image", "photo.jpg")
	require.NoError(t, err)
	_, _ = p.Write(data)
	require.NoError(t, w.Close())
	return &body, w.FormDataContentType()
}

func (f *ssFixture) upload(t testing.TB, id, token string, data []byte) (int, []byte) {
	t.Helper()
	body, ctype := multipartImage(t, data)
	return f.do(t, http.MethodPost, "/api/scan-sessions/"+id+"/upload-photo", body, "Content-Type", ctype, "X-Scan-Token", token)
}

func tokenQ(token string) string { return "?token=" + url.QueryEscape(token) }

func TestScanSessionFlow(t *testing.T) {
	t.Parallel()
	f := setupScanSessions(t)
	cookie := f.register(t, "desk")
	s := f.create(t, cookie)

	// the documented creation response
	require.Regexp(t, `^[0-9A-HJKMNP-TV-Z]{26}$`, s.SessionID)
	require.Regexp(t, `^ct_[0-9a-f]{64}$`, s.ClaimToken)
	require.Regexp(t, `^[0-9]{6}$`, s.ConfirmationCode)
	require.Equal(t, "https://cards.example/scan-pwa?session="+s.SessionID+"&t="+s.ClaimToken, s.Deeplink)
	require.True(t, strings.HasPrefix(s.QRURL, "/api/scan-sessions/"+s.SessionID+"/qr.png?t="))
	require.WithinDuration(t, f.now().Add(30*time.Minute), s.ExpiresAt, 5*time.Second)

	// the token is stored hashed only
	var stored []byte
	require.NoError(t, f.db.Pool.QueryRow(t.Context(), `SELECT token_hash FROM scan_sessions WHERE id = $1`, s.SessionID).Scan(&stored))
	require.Equal(t, catalog.HashScanToken(s.ClaimToken), stored)

	// the QR code: a 256×256 PNG, public with the token of the URL
	st, qr := f.do(t, http.MethodGet, s.QRURL, nil)
	require.Equal(t, http.StatusOK, st, "%s", qr)
	cfg, err := png.DecodeConfig(bytes.NewReader(qr))
	require.NoError(t, err)
	require.Equal(t, 256, cfg.Width)
	require.Equal(t, 256, cfg.Height)

	events := f.openSSE(t, s.SessionID, cookie)
	require.Equal(t, http.StatusOK, events.status)

	// pending, by token and by the owner
	var status struct {
		Status     string                    `json:"status"`
		DeviceName string                    `json:"device_name"`
		Results    []catalog.ScanSessionCard `json:"results"`
		ExpiresAt  time.Time                 `json:"expires_at"`
	}
	st, body := f.do(t, http.MethodGet, "/api/scan-sessions/"+s.SessionID+tokenQ(s.ClaimToken), nil)
	require.Equal(t, http.StatusOK, st, "%s", body)
	require.NoError(t, json.Unmarshal(body, &status))
	require.Equal(t, "pending", status.Status)

	// claim: once
	st, body = f.do(t, http.MethodPost, "/api/scan-sessions/"+s.SessionID+"/claim"+tokenQ(s.ClaimToken)+"&device_name=Pixel+8", nil)
	require.Equal(t, http.StatusOK, st, "%s", body)
	ev, data := events.next(t)
	require.Equal(t, "claimed", ev)
	require.JSONEq(t, `{"device_name":"Pixel 8"}`, data)
	st, body = f.do(t, http.MethodPost, "/api/scan-sessions/"+s.SessionID+"/claim"+tokenQ(s.ClaimToken), strings.NewReader(`{"device_name":"Thief"}`))
	require.Equal(t, http.StatusConflict, st, "%s", body)

	// a landscape photo: stored rotated +90° clockwise, as WebP
	st, body = f.upload(t, s.SessionID, s.ClaimToken, greyJPEG(t, 120, 80, 200))
	require.Equal(t, http.StatusOK, st, "%s", body)
	var up struct {
		OK        bool   `json:"ok"`
		CardIndex int    `json:"card_index"`
		ImageURL  string `json:"image_url"`
		Size      int    `json:"size"`
	}
	require.NoError(t, json.Unmarshal(body, &up))
	require.True(t, up.OK)
	require.Equal(t, 0, up.CardIndex)
	require.True(t, strings.HasPrefix(up.ImageURL, "/api/photos/sessions/"+s.SessionID+"/0.webp?exp="), up.ImageURL)
	ev, data = events.next(t)
	require.Equal(t, "photo", ev)
	require.JSONEq(t, `{"card_index":0,"image_url":"`+up.ImageURL+`"}`, data)
	st, stored = f.do(t, http.MethodGet, up.ImageURL, nil) // signed: the phone has no cookie
	require.Equal(t, http.StatusOK, st)
	require.Len(t, stored, up.Size)
	wp, err := webp.DecodeConfig(bytes.NewReader(stored))
	require.NoError(t, err)
	require.Equal(t, [2]int{80, 120}, [2]int{wp.Width, wp.Height})

	// results: card 0 recognised through the queue, card 1 pre-computed
	pre := `{"scan_id":"phone-1","candidates":[{"card_id":500002,"name":"Pre","set_name":"Set","tcg_slug":"mtg","score":0.9,"confidence":"high"}]}`
	st, body = f.do(t, http.MethodPost, "/api/scan-sessions/"+s.SessionID+"/results"+tokenQ(s.ClaimToken),
		strings.NewReader(`{"cards":[{"card_index":0,"captured_at":"2026-05-07T13:14:01Z","image_url":"`+up.ImageURL+`"},
		{"card_index":1,"recognition":`+pre+`}]}`))
	require.Equal(t, http.StatusOK, st, "%s", body)
	var res struct {
		Cards []catalog.ScanSessionCard `json:"cards"`
	}
	require.NoError(t, json.Unmarshal(body, &res))
	require.Len(t, res.Cards, 2)
	require.Equal(t, "done", res.Cards[0].Status)
	var rec catalog.ScanResult
	require.NoError(t, json.Unmarshal(res.Cards[0].Recognition, &rec))
	require.Equal(t, int64(441076), rec.Candidates[0].CardID, "a bright photo is Charizard")
	require.NotEmpty(t, rec.ScanID)
	got := map[string]string{}
	for range 2 {
		ev, data = events.next(t)
		require.Equal(t, "result", ev)
		var d struct {
			CardIndex   int             `json:"card_index"`
			Recognition json.RawMessage `json:"recognition"`
		}
		require.NoError(t, json.Unmarshal([]byte(data), &d))
		got[fmt.Sprint(d.CardIndex)] = string(d.Recognition)
	}
	require.JSONEq(t, pre, got["1"])
	require.Contains(t, got["0"], `"card_id":441076`)

	// the owner confirms a card as feedback (the review screen)
	st, body = f.do(t, http.MethodPost, "/api/cards/recognize/feedback", strings.NewReader(fmt.Sprintf(`{"scan_id":%q,"card_id":441076}`, rec.ScanID)), "Cookie", cookie)
	require.Equal(t, http.StatusCreated, st, "%s", body)

	// complete: the stream ends; no uploads after it
	st, body = f.do(t, http.MethodPost, "/api/scan-sessions/"+s.SessionID+"/complete", nil, "X-Scan-Token", s.ClaimToken)
	require.Equal(t, http.StatusOK, st, "%s", body)
	ev, data = events.next(t)
	require.Equal(t, "completed", ev)
	require.JSONEq(t, `{"count":2}`, data)
	_, open := <-events.events
	require.False(t, open, "the stream closes after completed")
	st, _ = f.upload(t, s.SessionID, s.ClaimToken, greyJPEG(t, 32, 32, 30))
	require.Equal(t, http.StatusConflict, st)
	st, _ = f.do(t, http.MethodPost, "/api/scan-sessions/"+s.SessionID+"/results"+tokenQ(s.ClaimToken), strings.NewReader(`{"cards":[{"card_index":0,"recognition":{}}]}`))
	require.Equal(t, http.StatusConflict, st)
	st, _ = f.do(t, http.MethodPost, "/api/scan-sessions/"+s.SessionID+"/complete", nil, "X-Scan-Token", s.ClaimToken)
	require.Equal(t, http.StatusConflict, st)

	// the owner's view
	st, body = f.do(t, http.MethodGet, "/api/scan-sessions/"+s.SessionID, nil, "Cookie", cookie)
	require.Equal(t, http.StatusOK, st, "%s", body)
	require.NoError(t, json.Unmarshal(body, &status))
	require.Equal(t, "completed", status.Status)
	require.Equal(t, "Pixel 8", status.DeviceName)
	require.Len(t, status.Results, 2)

	// a late desktop gets the whole story replayed, then the end
	late := f.openSSE(t, s.SessionID, cookie)
	var seq []string
	for e := range late.events {
		seq = append(seq, e[0])
	}
	require.Equal(t, []string{"claimed", "photo", "result", "result", "completed"}, seq)

	// the claim token is never logged
	require.NotContains(t, f.logs.String(), s.ClaimToken)
	require.NotContains(t, f.logs.String(), s.ClaimToken[3:])
	require.Contains(t, f.logs.String(), "/api/scan-sessions/"+s.SessionID+"/claim", "requests are logged, without their query")
}

func TestScanSessionErrors(t *testing.T) {
	t.Parallel()
	f := setupScanSessions(t)
	owner := f.register(t, "owner")
	other := f.register(t, "other")
	s := f.create(t, owner)
	base := "/api/scan-sessions/" + s.SessionID
	bad := "ct_" + strings.Repeat("0", 64)
	post := func(path, body string, hdr ...string) int {
		var r *strings.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		var st int
		if r == nil {
			st, _ = f.do(t, http.MethodPost, path, nil, hdr...)
		} else {
			st, _ = f.do(t, http.MethodPost, path, r, hdr...)
		}
		return st
	}
	get := func(path string, hdr ...string) int {
		st, _ := f.do(t, http.MethodGet, path, nil, hdr...)
		return st
	}

	// 401: no credentials
	require.Equal(t, http.StatusUnauthorized, post("/api/scan-sessions", ""))
	require.Equal(t, http.StatusUnauthorized, get(base))
	require.Equal(t, http.StatusUnauthorized, get(base+"/sse"))
	require.Equal(t, http.StatusUnauthorized, get(base+"/sse"+tokenQ(s.ClaimToken)), "the stream is the owner's only")
	require.Equal(t, http.StatusUnauthorized, get(base+"/qr.png"))
	for _, p := range []string{"/claim", "/upload-photo", "/results", "/complete"} {
		require.Equal(t, http.StatusUnauthorized, post(base+p, `{}`), p)
		require.Equal(t, http.StatusUnauthorized, post(base+p, `{}`, "Cookie", owner), p+": the phone's routes take the token")
	}
	// 403: a wrong token, another user
	require.Equal(t, http.StatusForbidden, get(base+tokenQ(bad)))
	require.Equal(t, http.StatusForbidden, get(base+"/qr.png?t="+bad))
	require.Equal(t, http.StatusForbidden, post(base+"/claim"+tokenQ(bad), `{"device_name":"x"}`))
	require.Equal(t, http.StatusForbidden, get(base, "Cookie", other))
	require.Equal(t, http.StatusForbidden, get(base+"/sse", "Cookie", other))
	// 404: unknown or malformed ids
	require.Equal(t, http.StatusNotFound, get("/api/scan-sessions/01ARZ3NDEKTSV4RRFFQ69G5FAV"+tokenQ(s.ClaimToken)))
	require.Equal(t, http.StatusNotFound, post("/api/scan-sessions/../../etc/claim"+tokenQ(s.ClaimToken), `{}`))
	require.Equal(t, http.StatusNotFound, get("/api/scan-sessions/nope", "Cookie", owner))
	// 409: uploads before the claim
	require.Equal(t, http.StatusConflict, func() int { st, _ := f.upload(t, s.SessionID, s.ClaimToken, greyJPEG(t, 16, 16, 10)); return st }())
	require.Equal(t, http.StatusConflict, post(base+"/complete"+tokenQ(s.ClaimToken), ""))
	// 422: claim without a device name, or a too long one
	require.Equal(t, http.StatusUnprocessableEntity, post(base+"/claim"+tokenQ(s.ClaimToken), `{}`))
	require.Equal(t, http.StatusUnprocessableEntity, post(base+"/claim"+tokenQ(s.ClaimToken), `{"device_name":"`+strings.Repeat("x", 101)+`"}`))
	require.Equal(t, http.StatusBadRequest, post(base+"/claim"+tokenQ(s.ClaimToken), `{"device_name":`))
	require.Equal(t, http.StatusOK, post(base+"/claim"+tokenQ(s.ClaimToken), `{"device_name":"Phone"}`))

	// 415 / 413 / 422 uploads
	st, body := f.upload(t, s.SessionID, s.ClaimToken, []byte("GIF89a-not-an-accepted-image"))
	require.Equal(t, http.StatusUnsupportedMediaType, st, "%s", body)
	big := append(greyJPEG(t, 16, 16, 10), make([]byte, 10<<20)...)
	st, body = f.upload(t, s.SessionID, s.ClaimToken, big)
	require.Equal(t, http.StatusRequestEntityTooLarge, st, "%s", body)
	st, _ = f.do(t, http.MethodPost, base+"/upload-photo", strings.NewReader(`{}`), "X-Scan-Token", s.ClaimToken)
	require.Equal(t, http.StatusUnprocessableEntity, st, "no multipart image")
	// 422 / 400 / 413 results
	for _, b := range []string{`{}`, `{"cards":[]}`, `{"cards":[{"recognition":{}}]}`, `{"cards":[{"card_index":-1,"recognition":{}}]}`,
		`{"cards":[{"card_index":0}]}`, `{"cards":[{"card_index":0,"recognition":[1]}]}`,
		`{"cards":[{"card_index":0,"recognition":{}},{"card_index":0,"recognition":{}}]}`} {
		require.Equal(t, http.StatusUnprocessableEntity, post(base+"/results"+tokenQ(s.ClaimToken), b), b)
	}
	require.Equal(t, http.StatusBadRequest, post(base+"/results"+tokenQ(s.ClaimToken), `{"cards":`))
	require.Equal(t, http.StatusRequestEntityTooLarge, post(base+"/results"+tokenQ(s.ClaimToken),
		`{"cards":[{"card_index":0,"recognition":{"x":"`+strings.Repeat("a", 3<<20)+`"}}]}`))
	// no recognition in the log of 4xx either
	require.NotContains(t, f.logs.String(), s.ClaimToken)

	// 410 once the session is idle for 5 minutes; the status says expired
	f.advance(5*time.Minute + time.Second)
	for _, p := range []string{"/claim", "/upload-photo", "/results", "/complete"} {
		require.Equal(t, http.StatusGone, post(base+p+tokenQ(s.ClaimToken), `{"device_name":"x"}`), p)
	}
	require.Equal(t, http.StatusGone, get(base+"/sse", "Cookie", owner))
	require.Equal(t, http.StatusGone, get(s.QRURL))
	st, body = f.do(t, http.MethodGet, base+tokenQ(s.ClaimToken), nil)
	require.Equal(t, http.StatusOK, st)
	require.Contains(t, string(body), `"status":"expired"`)

	// a fresh session that is kept busy still ends after 30 minutes
	s2 := f.create(t, owner)
	require.Equal(t, http.StatusOK, post("/api/scan-sessions/"+s2.SessionID+"/claim"+tokenQ(s2.ClaimToken), `{"device_name":"P"}`))
	for range 8 {
		f.advance(4 * time.Minute)
		st, _ := f.do(t, http.MethodGet, "/api/scan-sessions/"+s2.SessionID+tokenQ(s2.ClaimToken), nil)
		require.Equal(t, http.StatusOK, st)
		st, _ = f.upload(t, s2.SessionID, s2.ClaimToken, greyJPEG(t, 16, 16, 10))
		if st == http.StatusGone {
			break
		}
		require.Equal(t, http.StatusOK, st)
	}
	st, _ = f.upload(t, s2.SessionID, s2.ClaimToken, greyJPEG(t, 16, 16, 10))
	require.Equal(t, http.StatusGone, st, "30 minutes after creation")
}

func TestScanSessionPurge(t *testing.T) {
	t.Parallel()
	f := setupScanSessions(t)
	cookie := f.register(t, "purger")
	old := f.create(t, cookie)
	st, _ := f.do(t, http.MethodPost, "/api/scan-sessions/"+old.SessionID+"/claim"+tokenQ(old.ClaimToken), strings.NewReader(`{"device_name":"P"}`))
	require.Equal(t, http.StatusOK, st)
	st, _ = f.upload(t, old.SessionID, old.ClaimToken, greyJPEG(t, 16, 16, 10))
	require.Equal(t, http.StatusOK, st)
	dir := f.photos.SessionDir(old.SessionID)
	require.FileExists(t, filepath.Join(dir, "0.webp"))

	f.advance(6 * time.Minute) // old is idle past 5 minutes
	fresh := f.create(t, cookie)
	require.NoError(t, os.MkdirAll(f.photos.SessionDir(fresh.SessionID), 0o755))

	task := workers.NewExpireScanSessionsTask()
	require.Equal(t, workers.TypeExpireScanSessions, task.Type())
	h := &workers.ExpireScanSessionsHandler{Store: f.db, Photos: f.photos, Now: f.now,
		Log: slog.New(slog.NewTextHandler(f.logs, nil))}
	require.NoError(t, h.ProcessTask(t.Context(), task))

	require.NoDirExists(t, dir)
	require.DirExists(t, f.photos.SessionDir(fresh.SessionID))
	st, _ = f.do(t, http.MethodGet, "/api/scan-sessions/"+old.SessionID+tokenQ(old.ClaimToken), nil)
	require.Equal(t, http.StatusNotFound, st, "purged: 404")
	st, _ = f.do(t, http.MethodGet, "/api/scan-sessions/"+fresh.SessionID+tokenQ(fresh.ClaimToken), nil)
	require.Equal(t, http.StatusOK, st)
	var n int
	require.NoError(t, f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM scan_session_cards`).Scan(&n))
	require.Zero(t, n, "cards go with their session")

	// a completed session outlives the idle rule, not the 30 minutes
	f.advance(25 * time.Minute)
	require.NoError(t, h.ProcessTask(t.Context(), task))
	st, _ = f.do(t, http.MethodGet, "/api/scan-sessions/"+fresh.SessionID+tokenQ(fresh.ClaimToken), nil)
	require.Equal(t, http.StatusNotFound, st)
}
