package scanning

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"github.com/collectorstash/csm/catalog"
)

// Caller is who calls a scan-session route: the principal (cookie or API
// key) and the claim token presented, if any.
type Caller struct {
	Principal catalog.Principal
	Token     string
}

// Who may call a scan-session use case.
type who int

const (
	byOwner who = 1 << iota // the owner's cookie or API key (or an admin)
	byToken                 // the claim token
)

// NewSession is a created session and its claim token (returned once; only
// its hash is stored).
type NewSession struct {
	Session catalog.ScanSession
	Token   string
}

// CreateSession starts a session for the signed-in caller.
func (s *Service) CreateSession(ctx context.Context, p catalog.Principal) (NewSession, error) {
	if !p.Authenticated() {
		return NewSession{}, catalog.Errorf(catalog.EUNAUTHORIZED, "Authentication required")
	}
	now := s.cfg.Now().UTC()
	token := catalog.NewScanToken()
	sess := catalog.ScanSession{
		ID: ulid.MustNew(ulid.Timestamp(now), rand.Reader).String(), UserID: p.User.ID,
		TokenHash: catalog.HashScanToken(token), ConfirmationCode: catalog.NewConfirmationCode(),
		Status: catalog.ScanSessionPending, CreatedAt: now, LastActivityAt: now, ExpiresAt: now.Add(catalog.ScanSessionTTL),
	}
	if err := s.cfg.Store.CreateScanSession(ctx, sess); err != nil {
		return NewSession{}, err
	}
	return NewSession{Session: sess, Token: token}, nil
}

// load reads a session and checks the caller: 404 unknown, 401 no
// credential, 403 wrong token or another user; with live set an ended
// session is 410.
func (s *Service) load(ctx context.Context, c Caller, id string, w who, live bool) (catalog.ScanSession, error) {
	if !catalog.ValidScanSessionID(id) {
		return catalog.ScanSession{}, catalog.Errorf(catalog.ENOTFOUND, "Scan session not found")
	}
	sess, err := s.cfg.Store.ScanSession(ctx, id)
	if err != nil {
		return sess, err
	}
	if err := checkCaller(c, sess, w); err != nil {
		return sess, err
	}
	if live && sess.Expired(s.cfg.Now()) {
		return sess, catalog.Errorf(catalog.EGONE, "Scan session expired")
	}
	return sess, nil
}

func checkCaller(c Caller, sess catalog.ScanSession, w who) error {
	if c.Token != "" && w&byToken != 0 {
		if !sess.TokenMatches(c.Token) {
			return catalog.Errorf(catalog.EFORBIDDEN, "Invalid scan token")
		}
		return nil
	}
	p := c.Principal
	if w&byOwner == 0 {
		return catalog.Errorf(catalog.EUNAUTHORIZED, "Scan token required (?token= or X-Scan-Token)")
	}
	if !p.Authenticated() {
		return catalog.Errorf(catalog.EUNAUTHORIZED, "Authentication required")
	}
	if p.User.ID != sess.UserID && !p.User.IsAdmin {
		return catalog.Errorf(catalog.EFORBIDDEN, "Not the owner of this scan session")
	}
	return nil
}

// signCards gives each card's photo a signed URL (the phone holds no
// cookie) and never nil.
func (s *Service) signCards(cards []catalog.ScanSessionCard) []catalog.ScanSessionCard {
	out := make([]catalog.ScanSessionCard, len(cards))
	now := s.cfg.Now()
	for i, c := range cards {
		if c.ImageURL != "" && s.cfg.Photos != nil {
			c.ImageURL = s.cfg.Photos.SignedURL(c.ImageURL, now)
		}
		out[i] = c
	}
	return out
}

// SessionView is the polling view of a session.
type SessionView struct {
	SessionID        string                    `json:"session_id"`
	Status           string                    `json:"status"`
	DeviceName       string                    `json:"device_name"`
	ConfirmationCode string                    `json:"confirmation_code"`
	Results          []catalog.ScanSessionCard `json:"results"`
	ExpiresAt        time.Time                 `json:"expires_at"`
}

// Session is the polling view, for the owner or the token; an ended
// session reports "expired" (until the purge: 404 after).
func (s *Service) Session(ctx context.Context, c Caller, id string) (SessionView, error) {
	sess, err := s.load(ctx, c, id, byOwner|byToken, false)
	if err != nil {
		return SessionView{}, err
	}
	return SessionView{SessionID: sess.ID, Status: sess.StatusAt(s.cfg.Now()), DeviceName: sess.DeviceName,
		ConfirmationCode: sess.ConfirmationCode, Results: s.signCards(sess.Cards), ExpiresAt: sess.EndsAt()}, nil
}

// SessionForToken checks a live session against its claim token (the QR
// code route: the token in the URL is the credential).
func (s *Service) SessionForToken(ctx context.Context, c Caller, id string) (catalog.ScanSession, error) {
	return s.load(ctx, c, id, byToken, true)
}

// SessionOwner returns the owner of a session (stream topic checks).
func (s *Service) SessionOwner(ctx context.Context, id string) (int64, error) {
	if !catalog.ValidScanSessionID(id) {
		return 0, catalog.Errorf(catalog.ENOTFOUND, "Scan session not found")
	}
	sess, err := s.cfg.Store.ScanSession(ctx, id)
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		return 0, catalog.Errorf(catalog.ENOTFOUND, "Scan session not found")
	}
	return sess.UserID, err
}

// Claim binds the phone (device name 1–100 characters): once per session.
// device reads the name from the request once the caller is checked.
func (s *Service) Claim(ctx context.Context, c Caller, id string, device func() (string, error)) (catalog.ScanSession, error) {
	sess, err := s.load(ctx, c, id, byToken, true)
	if err != nil {
		return sess, err
	}
	name, err := device()
	if err != nil {
		return sess, err
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return sess, catalog.Validation([]string{"body", "device_name"}, "field required", "value_error.missing")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > 100:
		return sess, catalog.Validation([]string{"body", "device_name"}, "ensure this value has at most 100 characters", "value_error.any_str.max_length")
	}
	if err := s.cfg.Store.ClaimScanSession(ctx, sess.ID, name, s.cfg.Now().UTC()); err != nil {
		return sess, err
	}
	sess.Status, sess.DeviceName = catalog.ScanSessionClaimed, name
	s.publish(ctx, s.cfg.Events, sess.ID, catalog.ScanEventClaimed, map[string]string{"device_name": name})
	return sess, nil
}

// open loads a session the phone may still add to.
func (s *Service) open(ctx context.Context, c Caller, id string) (catalog.ScanSession, error) {
	sess, err := s.load(ctx, c, id, byToken, true)
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

// StoredPhoto is an uploaded session photo.
type StoredPhoto struct {
	CardIndex int    `json:"card_index"`
	ImageURL  string `json:"image_url"`
	Size      int    `json:"size"`
}

// UploadPhoto stores one photo of an open session: read (image, once the
// caller and the session are checked), encoded (rotated +90° clockwise,
// EXIF dropped, WebP) before a card index is taken, then kept in the photo
// store; a "photo" event follows.
func (s *Service) UploadPhoto(ctx context.Context, c Caller, id string, image func() ([]byte, error)) (StoredPhoto, error) {
	sess, err := s.open(ctx, c, id)
	if err != nil {
		return StoredPhoto{}, err
	}
	raw, err := image()
	if err != nil {
		return StoredPhoto{}, err
	}
	data, err := s.cfg.Photos.EncodeSessionPhoto(raw)
	if err != nil {
		return StoredPhoto{}, err
	}
	now := s.cfg.Now().UTC()
	idx, err := s.cfg.Store.ReserveScanPhoto(ctx, sess.ID, now)
	if err != nil {
		return StoredPhoto{}, err
	}
	ph, err := s.cfg.Photos.SaveSessionEncoded(sess.ID, idx, data)
	if err != nil {
		return StoredPhoto{}, &catalog.Error{Code: catalog.EINTERNAL, Message: "Could not store the photo", Err: err}
	}
	card := catalog.ScanSessionCard{Index: idx, ImagePath: ph.Path, ImageURL: photoURL(ph.Key)}
	if err := s.cfg.Store.PutScanCards(ctx, sess.ID, []catalog.ScanSessionCard{card}, now); err != nil {
		return StoredPhoto{}, err
	}
	out := StoredPhoto{CardIndex: idx, ImageURL: s.cfg.Photos.SignedURL(ph.Key, s.cfg.Now()), Size: ph.Size}
	s.publish(ctx, s.cfg.Events, sess.ID, catalog.ScanEventPhoto, map[string]any{"card_index": idx, "image_url": out.ImageURL})
	return out, nil
}

// ResultCard is one card of a posted results batch.
type ResultCard struct {
	Index       *int            `json:"card_index"`
	CapturedAt  *time.Time      `json:"captured_at"`
	ImageURL    string          `json:"image_url"` // informative: the server keeps its own
	Recognition json.RawMessage `json:"recognition"`
}

// MaxResultCards bounds one results post.
const MaxResultCards = 100

// PostResults stores a batch of cards (read once the caller and the
// session are checked) of an open session. A card with a
// recognition is stored as is; one without is recognised from its uploaded
// photo through the queue (the worker stores it on the card and pushes the
// "result" event). The call waits, bounded by Wait, for those
// recognitions and returns the posted cards as they then stand.
func (s *Service) PostResults(ctx context.Context, c Caller, id string, read func() ([]ResultCard, error)) ([]catalog.ScanSessionCard, error) {
	sess, err := s.open(ctx, c, id)
	if err != nil {
		return nil, err
	}
	in, err := read()
	if err != nil {
		return nil, err
	}
	cards, seen, err := validateResults(sess, in)
	if err != nil {
		return nil, err
	}
	photos := map[int]string{}
	for _, card := range sess.Cards {
		photos[card.Index] = card.ImagePath
	}
	now := s.cfg.Now().UTC()
	for i := range cards {
		if cards[i].Status != catalog.ScanCardPending {
			continue
		}
		sc := catalog.Scan{ID: NewScanID(now), UserID: sess.UserID, ImagePath: photos[cards[i].Index], Status: catalog.ScanQueued}
		if err := s.cfg.Store.CreateScan(ctx, sc); err != nil {
			return nil, err
		}
		cards[i].ScanID = sc.ID
	}
	if err := s.cfg.Store.PutScanCards(ctx, sess.ID, cards, now); err != nil {
		return nil, err
	}
	var queued []string
	for _, card := range cards {
		if card.Status == catalog.ScanCardDone {
			s.publish(ctx, s.cfg.Events, sess.ID, catalog.ScanEventResult,
				map[string]any{"card_index": card.Index, "status": card.Status, "recognition": card.Recognition})
			continue
		}
		if err := s.cfg.Queue.EnqueueScan(ctx, card.ScanID); err != nil {
			return nil, err
		}
		queued = append(queued, card.ScanID)
	}
	if len(queued) > 0 {
		wctx, cancel := context.WithTimeout(ctx, s.cfg.Wait)
		for _, id := range queued {
			if _, err := s.waitScan(wctx, id, s.cfg.Wait); err != nil || wctx.Err() != nil {
				break
			}
		}
		cancel()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if sess, err = s.cfg.Store.ScanSession(ctx, sess.ID); err != nil {
		return nil, err
	}
	out := make([]catalog.ScanSessionCard, 0, len(cards))
	for _, card := range s.signCards(sess.Cards) {
		if seen[card.Index] {
			out = append(out, card)
		}
	}
	return out, nil
}

// validateResults checks a results post against the session: 1–100 cards,
// each a distinct card_index in [0, 500), with a recognition object or an
// uploaded photo to recognise. All problems come back as one 422 list.
func validateResults(sess catalog.ScanSession, in []ResultCard) ([]catalog.ScanSessionCard, map[int]bool, error) {
	var fields []catalog.FieldError
	add := func(loc, msg, typ string) {
		fields = append(fields, catalog.FieldError{Loc: []string{"body", loc}, Msg: msg, Type: typ})
	}
	if len(in) == 0 || len(in) > MaxResultCards {
		add("cards", "ensure this list has 1 to 100 items", "value_error.list")
	}
	hasPhoto := map[int]bool{}
	for _, card := range sess.Cards {
		if card.ImagePath != "" {
			hasPhoto[card.Index] = true
		}
	}
	seen := map[int]bool{}
	var cards []catalog.ScanSessionCard
	for i, c := range in {
		loc := "cards." + strconv.Itoa(i)
		if c.Index == nil || *c.Index < 0 || *c.Index >= catalog.MaxScanSessionCards {
			add(loc+".card_index", "field required: an integer in [0, 500)", "value_error.missing")
			continue
		}
		if seen[*c.Index] {
			add(loc+".card_index", "duplicate card_index", "value_error.duplicate")
			continue
		}
		seen[*c.Index] = true
		card := catalog.ScanSessionCard{Index: *c.Index, CapturedAt: c.CapturedAt}
		rec := bytes.TrimSpace(c.Recognition)
		switch {
		case len(rec) > 0 && !bytes.Equal(rec, []byte("null")):
			if rec[0] != '{' {
				add(loc+".recognition", "value is not a valid object", "type_error.dict")
				continue
			}
			card.Status, card.Recognition = catalog.ScanCardDone, json.RawMessage(rec)
		case !hasPhoto[*c.Index]:
			add(loc+".recognition", "field required: no photo was uploaded for this card_index", "value_error.missing")
			continue
		default:
			card.Status = catalog.ScanCardPending
		}
		cards = append(cards, card)
	}
	if len(fields) > 0 {
		return nil, nil, &catalog.Error{Code: catalog.EVALIDATION, Message: fields[0].Msg, Fields: fields}
	}
	return cards, seen, nil
}

// Complete closes the session: no uploads after it; a "completed" event
// follows.
func (s *Service) Complete(ctx context.Context, c Caller, id string) (int, error) {
	sess, err := s.load(ctx, c, id, byToken, true)
	if err != nil {
		return 0, err
	}
	n, err := s.cfg.Store.CompleteScanSession(ctx, sess.ID, s.cfg.Now().UTC())
	if err != nil {
		return 0, err
	}
	s.publish(ctx, s.cfg.Events, sess.ID, catalog.ScanEventCompleted, map[string]int{"count": n})
	return n, nil
}
