package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/oklog/ulid/v2"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/collectorstash/csm/catalog"
)

// Scan sessions (the seed's "Scan sessions (cross-device)"):
//
//	POST /api/scan-sessions                  owner (cookie or API key) → 201
//	GET  /api/scan-sessions/:id              owner or claim token; 200 with status "expired" once ended
//	GET  /api/scan-sessions/:id/sse          owner only; claimed, photo, result, completed
//	POST /api/scan-sessions/:id/claim        token; once → 409 after
//	POST /api/scan-sessions/:id/upload-photo token; multipart image
//	POST /api/scan-sessions/:id/results      token; JSON {"cards": [...]}
//	POST /api/scan-sessions/:id/complete     token
//	GET  /api/scan-sessions/:id/qr.png?t=…   the claim token in the URL is the credential
//
// The claim token travels in ?token= (or ?t=) or the X-Scan-Token header.
// An ended session answers 410 Gone on every route but the status route
// (which reports "expired"), until the hourly purge deletes it: 404 after.
func (s *Server) scanSessionRoutes(r *gin.Engine) {
	g := r.Group("/api/scan-sessions")
	g.POST("", s.require(catalog.AccessAuth), s.createScanSession)
	g.GET("/:id", s.scanSessionStatus)
	g.GET("/:id/sse", s.scanSessionEvents)
	g.GET("/:id/qr.png", s.scanSessionQR)
	g.POST("/:id/claim", s.claimScanSession)
	g.POST("/:id/upload-photo", s.uploadScanPhoto)
	g.POST("/:id/results", s.postScanResults)
	g.POST("/:id/complete", s.completeScanSession)
}

// maxResultsBody bounds POST …/results (recognition objects included).
const maxResultsBody = 2 << 20

// scanSessionView is the documented creation response.
type scanSessionView struct {
	SessionID        string    `json:"session_id"`
	ClaimToken       string    `json:"claim_token"`
	ConfirmationCode string    `json:"confirmation_code"`
	QRURL            string    `json:"qr_url"`
	Deeplink         string    `json:"deeplink"`
	ExpiresAt        time.Time `json:"expires_at"`
}

// publicURL is the base of deeplinks (CSM_PUBLIC_URL).
func (s *Server) publicURL() string {
	if s.cfg.PublicURL == "" {
		return "http://localhost:8000"
	}
	return strings.TrimRight(s.cfg.PublicURL, "/")
}

func (s *Server) deeplink(id, token string) string {
	return s.publicURL() + "/scan-pwa?session=" + url.QueryEscape(id) + "&t=" + url.QueryEscape(token)
}

// createScanSession starts a session for the caller: 201 with the claim
// token, which is returned once and stored only as a hash.
func (s *Server) createScanSession(c *gin.Context) {
	now := s.cfg.Now().UTC()
	token := catalog.NewScanToken()
	sess := catalog.ScanSession{
		ID: ulid.MustNew(ulid.Timestamp(now), rand.Reader).String(), UserID: principalOf(c).User.ID,
		TokenHash: catalog.HashScanToken(token), ConfirmationCode: catalog.NewConfirmationCode(),
		Status: catalog.ScanSessionPending, CreatedAt: now, LastActivityAt: now, ExpiresAt: now.Add(catalog.ScanSessionTTL),
	}
	if err := s.cfg.ScanSessions.CreateScanSession(c.Request.Context(), sess); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, scanSessionView{
		SessionID: sess.ID, ClaimToken: token, ConfirmationCode: sess.ConfirmationCode,
		QRURL:    "/api/scan-sessions/" + sess.ID + "/qr.png?t=" + url.QueryEscape(token),
		Deeplink: s.deeplink(sess.ID, token), ExpiresAt: sess.ExpiresAt,
	})
}

// scanToken is the claim token presented with a request, "" without one.
func scanToken(c *gin.Context) string {
	if t := c.Query("token"); t != "" {
		return t
	}
	if t := c.Query("t"); t != "" {
		return t
	}
	return c.GetHeader("X-Scan-Token")
}

// Who may call a scan-session route.
const (
	byOwner = 1 << iota // the owner's cookie or API key (or an admin)
	byToken             // the claim token
)

// loadScanSession reads the session of the path and checks the caller:
// 404 unknown, 401 no credential, 403 wrong token or another user. With
// live set an ended session is 410.
func (s *Server) loadScanSession(c *gin.Context, who int, live bool) (catalog.ScanSession, error) {
	id := c.Param("id")
	if !catalog.ValidScanSessionID(id) {
		return catalog.ScanSession{}, catalog.Errorf(catalog.ENOTFOUND, "Scan session not found")
	}
	sess, err := s.cfg.ScanSessions.ScanSession(c.Request.Context(), id)
	if err != nil {
		return sess, err
	}
	if err := s.scanSessionCaller(c, sess, who); err != nil {
		return sess, err
	}
	if live && sess.Expired(s.cfg.Now()) {
		return sess, catalog.Errorf(catalog.EGONE, "Scan session expired")
	}
	return sess, nil
}

func (s *Server) scanSessionCaller(c *gin.Context, sess catalog.ScanSession, who int) error {
	if tok := scanToken(c); tok != "" && who&byToken != 0 {
		if !sess.TokenMatches(tok) {
			return catalog.Errorf(catalog.EFORBIDDEN, "Invalid scan token")
		}
		return nil
	}
	p := principalOf(c)
	if who&byOwner == 0 || !p.Authenticated() {
		if who&byOwner == 0 {
			return catalog.Errorf(catalog.EUNAUTHORIZED, "Scan token required (?token= or X-Scan-Token)")
		}
		return catalog.Errorf(catalog.EUNAUTHORIZED, "Authentication required")
	}
	if p.User.ID != sess.UserID && !p.User.IsAdmin {
		return catalog.Errorf(catalog.EFORBIDDEN, "Not the owner of this scan session")
	}
	return nil
}

// scanSessionStatus is the polling view, for the owner or the token.
func (s *Server) scanSessionStatus(c *gin.Context) {
	sess, err := s.loadScanSession(c, byOwner|byToken, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.resolvePendingCards(c.Request.Context(), &sess)
	cards := sess.Cards
	if cards == nil {
		cards = []catalog.ScanSessionCard{}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"session_id": sess.ID, "status": sess.StatusAt(s.cfg.Now()), "device_name": sess.DeviceName,
		"confirmation_code": sess.ConfirmationCode, "results": cards, "expires_at": sess.EndsAt()})
}

// resolvePendingCards fills in recognitions that finished but whose result
// was not stored on the session (the API process that queued them died).
func (s *Server) resolvePendingCards(ctx context.Context, sess *catalog.ScanSession) {
	for i, card := range sess.Cards {
		if card.Status != catalog.ScanCardPending || card.ScanID == "" {
			continue
		}
		sc, err := s.cfg.Scans.Scan(ctx, card.ScanID)
		if err != nil || (sc.Status != "done" && sc.Status != "failed") {
			continue
		}
		status, rec := scanRecognition(sc)
		if s.cfg.ScanSessions.SetScanCardResult(ctx, sess.ID, card.Index, status, rec) == nil {
			sess.Cards[i].Status, sess.Cards[i].Recognition = status, rec
		}
	}
}

// scanRecognition is the stored recognition of a finished scan: the
// /recognize response, or {"error": {"code", "detail"}}.
func scanRecognition(sc catalog.Scan) (string, json.RawMessage) {
	if sc.Status == "done" && sc.Result != nil {
		sc.Result.ScanID = sc.ID
		b, _ := json.Marshal(sc.Result)
		return catalog.ScanCardDone, b
	}
	b, _ := json.Marshal(gin.H{"scan_id": sc.ID, "error": gin.H{"code": sc.ErrorCode, "detail": sc.Error}})
	return catalog.ScanCardFailed, b
}

// scanSessionQR renders the deeplink as a 256×256 PNG. The token in the URL
// is the credential: the server keeps only its hash, so it cannot render the
// QR code without it.
func (s *Server) scanSessionQR(c *gin.Context) {
	sess, err := s.loadScanSession(c, byToken, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	png, err := qrcode.Encode(s.deeplink(sess.ID, scanToken(c)), qrcode.Medium, 256)
	if err != nil {
		s.fail(c, &catalog.Error{Code: catalog.EINTERNAL, Message: "QR code could not be rendered", Err: err})
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Data(http.StatusOK, "image/png", png)
}

// claimBody is POST …/claim (device_name may also be a query parameter).
type claimBody struct {
	DeviceName string `json:"device_name"`
}

// claimScanSession binds the phone: once per session.
func (s *Server) claimScanSession(c *gin.Context) {
	sess, err := s.loadScanSession(c, byToken, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	var b claimBody
	if strings.HasPrefix(c.ContentType(), "application/json") {
		if err := readJSON(c, &b); err != nil {
			s.fail(c, err)
			return
		}
	} else if v := c.PostForm("device_name"); v != "" {
		b.DeviceName = v
	}
	if b.DeviceName == "" {
		b.DeviceName = c.Query("device_name")
	}
	b.DeviceName = strings.TrimSpace(b.DeviceName)
	switch {
	case b.DeviceName == "":
		s.fail(c, catalog.Validation([]string{"body", "device_name"}, "field required", "value_error.missing"))
		return
	case utf8.RuneCountInString(b.DeviceName) > 100 || !utf8.ValidString(b.DeviceName):
		s.fail(c, catalog.Validation([]string{"body", "device_name"}, "ensure this value has at most 100 characters", "value_error.any_str.max_length"))
		return
	}
	ctx := c.Request.Context()
	if err := s.cfg.ScanSessions.ClaimScanSession(ctx, sess.ID, b.DeviceName, s.cfg.Now().UTC()); err != nil {
		s.fail(c, err)
		return
	}
	s.publishScan(ctx, sess.ID, catalog.ScanEventClaimed, gin.H{"device_name": b.DeviceName})
	c.JSON(http.StatusOK, gin.H{"ok": true, "session_id": sess.ID, "status": catalog.ScanSessionClaimed,
		"device_name": b.DeviceName, "confirmation_code": sess.ConfirmationCode})
}

// publishScan sends a session event; a failure is logged, not returned:
// the state is stored, and the status route and SSE catch-up still see it.
func (s *Server) publishScan(ctx context.Context, id, event string, data any) {
	if err := s.cfg.ScanEvents.Publish(context.WithoutCancel(ctx), id, event, data); err != nil {
		s.cfg.Log.WarnContext(ctx, "scan session event not published", "session_id", id, "event", event, "err", err)
	}
}

// openScanSession loads a session the phone may still add to.
func (s *Server) openScanSession(c *gin.Context) (catalog.ScanSession, error) {
	sess, err := s.loadScanSession(c, byToken, true)
	if err != nil {
		return sess, err
	}
	switch sess.Status {
	case catalog.ScanSessionPending:
		return sess, catalog.Errorf(catalog.ECONFLICT, "Scan session not claimed yet")
	case catalog.ScanSessionCompleted:
		return sess, catalog.Errorf(catalog.ECONFLICT, "Scan session already completed")
	}
	return sess, nil
}

// uploadScanPhoto stores one photo: validated like /recognize, rotated +90°
// clockwise, EXIF dropped, saved as static/scans/<session>/<i>.webp.
func (s *Server) uploadScanPhoto(c *gin.Context) {
	sess, err := s.openScanSession(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	form, err := s.readForm(c, 1)
	if err != nil {
		s.fail(c, err)
		return
	}
	data, ext := form.images[0], extOf(form.images[0])
	if s.cfg.Photos != nil {
		if data, err = s.cfg.Photos.EncodeScanPhoto(data); err != nil {
			s.fail(c, err)
			return
		}
		ext = ".webp"
	}
	ctx := c.Request.Context()
	now := s.cfg.Now().UTC()
	idx, err := s.cfg.ScanSessions.ReserveScanPhoto(ctx, sess.ID, now)
	if err != nil {
		s.fail(c, err)
		return
	}
	rel := "scans/" + sess.ID + "/" + strconv.Itoa(idx) + ext
	path := filepath.Join(s.cfg.DataDir, "static", filepath.FromSlash(rel))
	if err := writeFile(path, data); err != nil {
		s.fail(c, &catalog.Error{Code: catalog.EINTERNAL, Message: "Could not store the photo", Err: err})
		return
	}
	card := catalog.ScanSessionCard{Index: idx, ImagePath: path, ImageURL: "/static/" + rel}
	if err := s.cfg.ScanSessions.PutScanCards(ctx, sess.ID, []catalog.ScanSessionCard{card}, now); err != nil {
		s.fail(c, err)
		return
	}
	s.publishScan(ctx, sess.ID, catalog.ScanEventPhoto, gin.H{"card_index": idx, "image_url": card.ImageURL})
	c.JSON(http.StatusOK, gin.H{"ok": true, "card_index": idx, "image_url": card.ImageURL, "size": len(data)})
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// resultsBody is POST …/results.
type resultsBody struct {
	Cards []struct {
		Index       *int            `json:"card_index"`
		CapturedAt  *time.Time      `json:"captured_at"`
		ImageURL    string          `json:"image_url"` // informative: the server keeps its own
		Recognition json.RawMessage `json:"recognition"`
	} `json:"cards"`
}

// postScanResults stores a batch of cards. A card with a recognition is
// stored as is; one without is recognised from its uploaded photo through
// the queue and its result pushed when done. The response waits (bounded by
// RecognizeWait) for those recognitions; still pending ones say so.
func (s *Server) postScanResults(c *gin.Context) {
	sess, err := s.openScanSession(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, maxResultsBody+1))
	if err != nil {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "Invalid JSON body"))
		return
	}
	if len(raw) > maxResultsBody {
		s.fail(c, catalog.Errorf(catalog.ETOOLARGE, "Request body too large"))
		return
	}
	var body resultsBody
	if err := json.Unmarshal(raw, &body); err != nil {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "Invalid JSON body"))
		return
	}
	photos := map[int]catalog.ScanSessionCard{}
	for _, card := range sess.Cards {
		if card.ImagePath != "" {
			photos[card.Index] = card
		}
	}
	v := newParams(c)
	if len(body.Cards) == 0 || len(body.Cards) > 100 {
		v.add("body", "cards", "ensure this list has 1 to 100 items", "value_error.list")
	}
	seen := map[int]bool{}
	var cards []catalog.ScanSessionCard
	for i, in := range body.Cards {
		loc := "cards." + strconv.Itoa(i)
		if in.Index == nil || *in.Index < 0 || *in.Index >= catalog.MaxScanSessionCards {
			v.add("body", loc+".card_index", "field required: an integer in [0, 500)", "value_error.missing")
			continue
		}
		if seen[*in.Index] {
			v.add("body", loc+".card_index", "duplicate card_index", "value_error.duplicate")
			continue
		}
		seen[*in.Index] = true
		card := catalog.ScanSessionCard{Index: *in.Index, CapturedAt: in.CapturedAt}
		rec := bytes.TrimSpace(in.Recognition)
		switch {
		case len(rec) > 0 && !bytes.Equal(rec, []byte("null")):
			if rec[0] != '{' {
				v.add("body", loc+".recognition", "value is not a valid object", "type_error.dict")
				continue
			}
			card.Status, card.Recognition = catalog.ScanCardDone, json.RawMessage(rec)
		case photos[*in.Index].ImagePath == "":
			v.add("body", loc+".recognition", "field required: no photo was uploaded for this card_index", "value_error.missing")
			continue
		default:
			card.Status = catalog.ScanCardPending
		}
		cards = append(cards, card)
	}
	if err := v.err(); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	now := s.cfg.Now().UTC()
	for i := range cards {
		if cards[i].Status != catalog.ScanCardPending {
			continue
		}
		sc := catalog.Scan{ID: newScanID(now), UserID: sess.UserID, ImagePath: photos[cards[i].Index].ImagePath}
		if err := s.cfg.Scans.CreateScan(ctx, sc); err != nil {
			s.fail(c, err)
			return
		}
		cards[i].ScanID = sc.ID
	}
	if err := s.cfg.ScanSessions.PutScanCards(ctx, sess.ID, cards, now); err != nil {
		s.fail(c, err)
		return
	}
	var waits []<-chan struct{}
	for _, card := range cards {
		if card.Status == catalog.ScanCardDone {
			s.publishScan(ctx, sess.ID, catalog.ScanEventResult, gin.H{"card_index": card.Index, "status": card.Status, "recognition": card.Recognition})
			continue
		}
		if err := s.cfg.Queue.EnqueueScan(ctx, card.ScanID); err != nil {
			s.fail(c, err)
			return
		}
		waits = append(waits, s.followSessionScan(sess.ID, card.Index, card.ScanID))
	}
	wait := s.cfg.RecognizeWait
	if wait <= 0 {
		wait = 30 * time.Second
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
wait:
	for _, w := range waits {
		select {
		case <-w:
		case <-deadline.C:
			break wait
		case <-ctx.Done():
			return
		}
	}
	if sess, err = s.cfg.ScanSessions.ScanSession(ctx, sess.ID); err != nil {
		s.fail(c, err)
		return
	}
	out := make([]catalog.ScanSessionCard, 0, len(cards))
	for _, card := range sess.Cards {
		if seen[card.Index] {
			out = append(out, card)
		}
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "session_id": sess.ID, "cards": out})
}

// followSessionScan waits in the background (up to scanFollow) for a
// queued recognition, stores it on the session card and pushes a result
// event; the returned channel closes when it is done.
func (s *Server) followSessionScan(sessionID string, index int, scanID string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), scanFollow)
		defer cancel()
		sc, err := s.waitScan(ctx, scanID, scanFollow)
		if err != nil || (sc.Status != "done" && sc.Status != "failed") {
			return // still queued: the status route resolves it later
		}
		status, rec := scanRecognition(sc)
		if err := s.cfg.ScanSessions.SetScanCardResult(ctx, sessionID, index, status, rec); err != nil {
			s.cfg.Log.WarnContext(ctx, "scan session result not stored", "session_id", sessionID, "err", err)
			return
		}
		s.publishScan(ctx, sessionID, catalog.ScanEventResult, gin.H{"card_index": index, "status": status, "recognition": rec})
	}()
	return done
}

// scanFollow bounds how long a session's queued recognition is followed.
const scanFollow = 3 * time.Minute

// completeScanSession closes the session: no uploads after it.
func (s *Server) completeScanSession(c *gin.Context) {
	sess, err := s.loadScanSession(c, byToken, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	n, err := s.cfg.ScanSessions.CompleteScanSession(ctx, sess.ID, s.cfg.Now().UTC())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.publishScan(ctx, sess.ID, catalog.ScanEventCompleted, gin.H{"count": n})
	c.JSON(http.StatusOK, gin.H{"ok": true, "session_id": sess.ID, "status": catalog.ScanSessionCompleted, "count": n})
}

// sseEvent writes one server-sent event.
func sseEvent(w io.Writer, event string, data []byte) error {
	_, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
	return err
}
