package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// photoFixture is a claimed scan session of owner with one uploaded photo.
type photoFixture struct {
	f      *acct
	owner  *client
	signed string // the image_url the upload answered (signed)
	key    string // /api/photos/<key>, unsigned
}

func setupPhoto(t *testing.T) photoFixture {
	t.Helper()
	f := setupAccounts(t, acctOptions{scanning: true, noLimiter: true})
	owner := f.register(uniqueName("owner"))
	r := owner.do(http.MethodPost, "/api/scan-sessions", nil)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var sess struct {
		SessionID  string `json:"session_id"`
		ClaimToken string `json:"claim_token"`
	}
	r.json(&sess)
	phone := f.anon()
	r = phone.do(http.MethodPost, "/api/scan-sessions/"+sess.SessionID+"/claim", map[string]string{"device_name": "Pixel"}, "X-Scan-Token", sess.ClaimToken)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = phone.uploadImage("/api/scan-sessions/"+sess.SessionID+"/upload-photo", tinyJPEG(t), "X-Scan-Token", sess.ClaimToken)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var up struct {
		ImageURL string `json:"image_url"`
	}
	r.json(&up)
	u, err := url.Parse(up.ImageURL)
	require.NoError(t, err)
	require.Equal(t, "/api/photos/sessions/"+sess.SessionID+"/0.jpg", u.Path)
	require.NotEmpty(t, u.Query().Get("sig"))
	return photoFixture{f: f, owner: owner, signed: up.ImageURL, key: u.Path}
}

func TestSessionPhotoIsPrivate(t *testing.T) {
	t.Parallel()
	p := setupPhoto(t)
	f := p.f

	// the signed URL works for anyone (the phone has no cookie)
	r := f.anon().do(http.MethodGet, p.signed, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, tinyJPEG(t), r.body)
	require.Contains(t, r.header.Get("Cache-Control"), "private")

	// unsigned: the owner only; another user and an anonymous caller get 404
	require.Equal(t, http.StatusOK, p.owner.do(http.MethodGet, p.key, nil).status)
	require.Equal(t, http.StatusOK, p.owner.do(http.MethodHead, p.key, nil).status, "HEAD answers as GET")
	other := f.register(uniqueName("other"))
	require.Equal(t, http.StatusNotFound, other.do(http.MethodGet, p.key, nil).status)
	require.Equal(t, http.StatusNotFound, f.anon().do(http.MethodGet, p.key, nil).status)
	require.Equal(t, http.StatusOK, f.admin().do(http.MethodGet, p.key, nil).status, "admins may look")

	// a signature for another photo, a tampered one or a stretched expiry: 403
	u, _ := url.Parse(p.signed)
	exp, sig := u.Query().Get("exp"), u.Query().Get("sig")
	for _, bad := range []string{
		strings.Replace(p.key, "/0.jpg", "/1.jpg", 1) + "?exp=" + exp + "&sig=" + sig,
		p.key + "?exp=" + exp + "&sig=" + strings.ToUpper(sig),
		p.key + fmt.Sprintf("?exp=%d&sig=%s", time.Now().Add(100*time.Hour).Unix(), sig),
		p.key + "?exp=" + exp,
	} {
		r := other.do(http.MethodGet, bad, nil)
		require.Equal(t, http.StatusForbidden, r.status, bad)
		require.NotEmpty(t, r.detail())
	}

	// the signature expires (an hour)
	f.clock.Add(61 * time.Minute)
	r = f.anon().do(http.MethodGet, p.signed, nil)
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "Invalid or expired photo signature", r.detail())

	// keys outside the served kinds are unknown
	for _, k := range []string{"/api/photos/scans/x/y.jpg", "/api/photos/sessions/../../etc/passwd", "/api/photos/"} {
		require.Equal(t, http.StatusNotFound, p.owner.do(http.MethodGet, k, nil).status, k)
	}
}

func TestConfirmedPhotoIsPrivate(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t, acctOptions{scanning: true, noLimiter: true})
	var cardID int64
	require.NoError(t, f.db.Pool.QueryRow(t.Context(), `WITH g AS (INSERT INTO games (slug, name) VALUES ('pokemon', 'Pokémon') RETURNING id),
		s AS (INSERT INTO sets (game_id, code, name) SELECT id, 'base1', 'Base' FROM g RETURNING id, game_id)
		INSERT INTO cards (set_id, game_id, name, collector_number) SELECT id, game_id, 'Charizard', '4/102' FROM s RETURNING id`).Scan(&cardID))
	owner := f.register(uniqueName("owner"))
	r := owner.uploadImage("/api/cards/recognize", tinyJPEG(t))
	require.Equal(t, http.StatusAccepted, r.status, "no worker: still queued, %s", r.body)
	var q struct {
		ScanID string `json:"scan_id"`
	}
	r.json(&q)
	other := f.register(uniqueName("other"))
	require.Equal(t, http.StatusForbidden, other.do(http.MethodPost, "/api/cards/recognize/feedback", map[string]any{"scan_id": q.ScanID, "card_id": cardID}).status)

	r = owner.do(http.MethodPost, "/api/cards/recognize/feedback", map[string]any{"scan_id": q.ScanID, "card_id": cardID})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var fb struct {
		ImageURL string `json:"image_url"`
	}
	r.json(&fb)
	u, err := url.Parse(fb.ImageURL)
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("/api/photos/confirmed/pokemon/%d/%s.jpg", cardID, q.ScanID), u.Path)

	require.Equal(t, http.StatusOK, f.anon().do(http.MethodGet, fb.ImageURL, nil).status, "signed")
	require.Equal(t, http.StatusOK, owner.do(http.MethodGet, u.Path, nil).status, "owner")
	require.Equal(t, http.StatusNotFound, other.do(http.MethodGet, u.Path, nil).status, "another user")
	require.Equal(t, http.StatusNotFound, f.anon().do(http.MethodGet, u.Path, nil).status, "anonymous")
	f.clock.Add(2 * time.Hour)
	require.Equal(t, http.StatusForbidden, f.anon().do(http.MethodGet, fb.ImageURL, nil).status, "expired")
}
