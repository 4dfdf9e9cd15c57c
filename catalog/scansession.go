package catalog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strings"
	"time"
)

// Scan-session statuses, as documented.
const (
	ScanSessionPending   = "pending"
	ScanSessionClaimed   = "claimed"
	ScanSessionActive    = "active"
	ScanSessionCompleted = "completed"
	ScanSessionExpired   = "expired"
)

// Scan-session lifetimes: a session ends 30 minutes after it was created,
// or earlier when an open one (pending, claimed, active) has seen no
// activity for 5 minutes. A completed session stays readable until the end
// of its 30 minutes (the review screen reads it).
const (
	ScanSessionTTL  = 30 * time.Minute
	ScanSessionIdle = 5 * time.Minute
	// MaxScanSessionCards bounds the photos of one session.
	MaxScanSessionCards = 500
)

// ScanTokenPrefix starts every claim token.
const ScanTokenPrefix = "ct_"

// Scan-session SSE events (and the scan:<session> stream topic's events).
const (
	ScanEventClaimed   = "claimed"
	ScanEventPhoto     = "photo"
	ScanEventResult    = "result"
	ScanEventCompleted = "completed"
)

// Recognition states of a session card.
const (
	ScanCardPending = "pending" // photo stored, recognition queued
	ScanCardDone    = "done"
	ScanCardFailed  = "failed"
	ScanCardNone    = "" // photo only, no result posted yet
)

// ScanSession bridges a desktop browser (the owner) to a phone camera that
// holds only the claim token.
type ScanSession struct {
	ID               string
	UserID           int64
	TokenHash        []byte // sha256 of the claim token; the token itself is never stored
	ConfirmationCode string
	Status           string // pending | claimed | active | completed (expired is derived)
	DeviceName       string
	CreatedAt        time.Time
	LastActivityAt   time.Time
	ExpiresAt        time.Time
	Cards            []ScanSessionCard
}

// ScanSessionCard is one card of a session: its photo and recognition.
type ScanSessionCard struct {
	Index      int        `json:"card_index"`
	ImageURL   string     `json:"image_url,omitempty"`
	ImagePath  string     `json:"-"`
	CapturedAt *time.Time `json:"captured_at,omitempty"`
	ScanID     string     `json:"scan_id,omitempty"`
	Status     string     `json:"status,omitempty"`
	// Recognition is the /api/cards/recognize response (or, failed, its error).
	Recognition json.RawMessage `json:"recognition,omitempty"`
}

// EndsAt returns when s ends: 30 minutes after creation, or 5 minutes
// after its last activity while it is open.
func (s ScanSession) EndsAt() time.Time {
	end := s.ExpiresAt
	if s.Status != ScanSessionCompleted {
		if idle := s.LastActivityAt.Add(ScanSessionIdle); idle.Before(end) {
			end = idle
		}
	}
	return end
}

// Expired reports whether s has ended at now.
func (s ScanSession) Expired(now time.Time) bool { return !now.Before(s.EndsAt()) }

// StatusAt is the documented status at now (expired once the session ended).
func (s ScanSession) StatusAt(now time.Time) string {
	if s.Expired(now) {
		return ScanSessionExpired
	}
	return s.Status
}

// Open reports whether the phone may still upload (claimed or active).
func (s ScanSession) Open() bool {
	return s.Status == ScanSessionClaimed || s.Status == ScanSessionActive
}

// TokenMatches compares a presented claim token with the stored hash in
// constant time.
func (s ScanSession) TokenMatches(token string) bool {
	if !strings.HasPrefix(token, ScanTokenPrefix) || len(token) > 200 {
		return false
	}
	return subtle.ConstantTimeCompare(HashScanToken(token), s.TokenHash) == 1
}

// NewScanToken returns a claim token: "ct_" and 32 random bytes in hex
// (256 bits).
func NewScanToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return ScanTokenPrefix + hex.EncodeToString(b)
}

// HashScanToken is the stored form of a claim token.
func HashScanToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewConfirmationCode returns 6 random decimal digits.
func NewConfirmationCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	s := n.String()
	return strings.Repeat("0", 6-len(s)) + s
}

// ValidScanSessionID reports whether id looks like a session id (a ULID:
// 26 Crockford base-32 characters), so it is safe in paths.
func ValidScanSessionID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, r := range id {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return false
		}
	}
	return true
}

// ScanEvent is one state change of a scan session.
type ScanEvent struct {
	Event string          `json:"event"`
	Data  json.RawMessage `json:"data"`
}

// ScanEvents is the scan sessions' event bus (Redis pub/sub in
// production), shared by every API process so that the process holding a
// desktop's SSE stream sees events caused through any other.
type ScanEvents interface {
	// Publish sends event with data (marshalled to JSON) to the session's
	// subscribers.
	Publish(ctx context.Context, sessionID, event string, data any) error
	// Subscribe returns the session's events from now on; the
	// subscription is active when it returns. cancel ends it and closes
	// the channel.
	Subscribe(ctx context.Context, sessionID string) (events <-chan ScanEvent, cancel func(), err error)
}

// PhotoEncoder turns an uploaded photo into the stored scan image: decoded,
// rotated +90° clockwise, EXIF dropped, encoded as WebP.
type PhotoEncoder interface {
	EncodeScanPhoto(data []byte) ([]byte, error)
}
