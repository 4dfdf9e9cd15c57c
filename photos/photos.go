// Package photos is the one store of user photos: recognition uploads,
// scan-session photos (WebP), confirmed scans kept for retraining and
// debug images of the pipeline. It owns the layout on disk and the signed,
// expiring URLs through which a private photo may be fetched by someone
// who is not its owner (a phone holding only a session's claim token).
//
// Layout, under the root (<data>/photos):
//
//	scans/<yyyymmdd>/<scan id>.<ext>              the upload as sent (recogniser input; never served)
//	sessions/<session id>/<card index>.webp       a scan-session photo (served: key sessions/…)
//	confirmed/<game>/<card id>/<scan id>.<ext>    a confirmed scan (served: key confirmed/…)
//	debug/<scan id>/<stage>.jpg                   a pipeline debug image (served: key debug/…)
//
// A photo is addressed by its key (the path under the root, slash
// separated) and served at /api/photos/<key>. Every served photo is
// private: its owner (the session's or the scan's user) or a URL signed
// with HMAC-SHA256 over the key and an expiry (?exp=&sig=).
package photos

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Kind is the first element of a key: what a photo is.
type Kind string

// The kinds of photo.
const (
	KindScan      Kind = "scans"
	KindSession   Kind = "sessions"
	KindConfirmed Kind = "confirmed"
	KindDebug     Kind = "debug"
)

// URLPrefix is where photos are served.
const URLPrefix = "/api/photos/"

// DefaultURLTTL is how long a signed URL works.
const DefaultURLTTL = time.Hour

// Store writes and locates photos under one root.
type Store struct {
	root   string
	secret []byte
	enc    catalog.PhotoEncoder
	// TTL is the lifetime of signed URLs (DefaultURLTTL when 0).
	TTL time.Duration
}

// New returns the store rooted at root (created on first write). secret
// signs URLs (the session secret); enc encodes session photos (nil keeps
// the upload as sent).
func New(root string, secret []byte, enc catalog.PhotoEncoder) *Store {
	return &Store{root: root, secret: secret, enc: enc}
}

// Root is the directory holding every photo.
func (s *Store) Root() string { return s.root }

// Photo is one stored photo.
type Photo struct {
	Key  string // the path under the root, slash separated
	Path string // the file
	Size int
}

// Ref is what a key names: its kind and the session or scan that owns it.
type Ref struct {
	Kind      Kind
	SessionID string // KindSession
	ScanID    string // KindConfirmed, KindDebug
}

func (s *Store) write(key string, data []byte) (Photo, error) {
	p := filepath.Join(s.root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return Photo{}, fmt.Errorf("photos: store %s: %w", key, err)
	}
	if err := os.WriteFile(p, data, 0o640); err != nil {
		return Photo{}, fmt.Errorf("photos: store %s: %w", key, err)
	}
	return Photo{Key: key, Path: p, Size: len(data)}, nil
}

// SaveScan stores a recognition upload as sent and returns it.
func (s *Store) SaveScan(scanID string, data []byte) (Photo, error) {
	if !safeName(scanID) || len(scanID) < 8 {
		return Photo{}, catalog.Errorf(catalog.EINVALID, "bad scan id")
	}
	return s.write(path.Join(string(KindScan), scanID[:8], scanID+Ext(data)), data)
}

// EncodeSessionPhoto runs the encoder alone (to check an upload before a
// card index is reserved for it); it returns the bytes to store.
func (s *Store) EncodeSessionPhoto(data []byte) ([]byte, error) {
	if s.enc == nil {
		return data, nil
	}
	return s.enc.EncodeScanPhoto(data)
}

// SaveSessionEncoded stores already encoded bytes (EncodeSessionPhoto) as
// card index of a session.
func (s *Store) SaveSessionEncoded(sessionID string, index int, data []byte) (Photo, error) {
	if !catalog.ValidScanSessionID(sessionID) || index < 0 {
		return Photo{}, catalog.Errorf(catalog.EINVALID, "bad session photo")
	}
	return s.write(path.Join(string(KindSession), sessionID, strconv.Itoa(index)+Ext(data)), data)
}

// SaveConfirmed copies a scan's upload as the confirmed photo of card.
func (s *Store) SaveConfirmed(game string, cardID int64, scanID, src string) (Photo, error) {
	if !safeName(game) || !safeName(scanID) || cardID <= 0 {
		return Photo{}, catalog.Errorf(catalog.EINVALID, "bad confirmed scan")
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return Photo{}, fmt.Errorf("photos: confirmed scan: %w", err)
	}
	return s.write(path.Join(string(KindConfirmed), game, strconv.FormatInt(cardID, 10), scanID+filepath.Ext(src)), data)
}

// SaveDebug stores a pipeline debug image of a scan as JPEG and returns
// its (unsigned) URL, "" when it could not be stored.
func (s *Store) SaveDebug(scanID, name string, img image.Image) string {
	if !safeName(scanID) || !safeName(name) {
		return ""
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		return ""
	}
	p, err := s.write(path.Join(string(KindDebug), scanID, name+".jpg"), b.Bytes())
	if err != nil {
		return ""
	}
	return URL(p.Key)
}

// SessionDir is the directory of a session's photos.
func (s *Store) SessionDir(sessionID string) string {
	return filepath.Join(s.root, string(KindSession), sessionID)
}

// RemoveSession deletes a session's photos.
func (s *Store) RemoveSession(sessionID string) error {
	if !catalog.ValidScanSessionID(sessionID) {
		return nil
	}
	if err := os.RemoveAll(s.SessionDir(sessionID)); err != nil {
		return fmt.Errorf("photos: remove session %s: %w", sessionID, err)
	}
	return nil
}

// Parse checks a served key (sessions/, confirmed/ or debug/, no "..",
// nothing but safe names) and says what it names. Unknown or malformed
// keys are ENOTFOUND.
func Parse(key string) (Ref, error) {
	notFound := catalog.Errorf(catalog.ENOTFOUND, "Photo not found")
	parts := strings.Split(key, "/")
	for _, p := range parts {
		if !safeName(p) {
			return Ref{}, notFound
		}
	}
	switch Kind(parts[0]) {
	case KindSession:
		if len(parts) == 3 && catalog.ValidScanSessionID(parts[1]) {
			return Ref{Kind: KindSession, SessionID: parts[1]}, nil
		}
	case KindConfirmed:
		if len(parts) == 4 {
			return Ref{Kind: KindConfirmed, ScanID: strings.TrimSuffix(parts[3], path.Ext(parts[3]))}, nil
		}
	case KindDebug:
		if len(parts) == 3 {
			return Ref{Kind: KindDebug, ScanID: parts[1]}, nil
		}
	}
	return Ref{}, notFound
}

// File returns the path of a served key's file, ENOTFOUND when the key is
// not servable or the file does not exist.
func (s *Store) File(key string) (string, error) {
	if _, err := Parse(key); err != nil {
		return "", err
	}
	p := filepath.Join(s.root, filepath.FromSlash(key))
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return "", catalog.Errorf(catalog.ENOTFOUND, "Photo not found")
	}
	return p, nil
}

// URL is the unsigned URL of a key (its owner's cookie or key opens it).
func URL(key string) string { return URLPrefix + key }

// KeyOf returns the key of a URL made by URL or SignedURL ("" if none).
func KeyOf(u string) string {
	k, ok := strings.CutPrefix(u, URLPrefix)
	if !ok {
		return ""
	}
	k, _, _ = strings.Cut(k, "?")
	return k
}

func (s *Store) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return DefaultURLTTL
}

// SignedURL returns the URL of key that works for anyone until now + TTL.
// An unsigned URL given instead of a key is signed too; "" stays "".
func (s *Store) SignedURL(key string, now time.Time) string {
	if k := KeyOf(key); k != "" {
		key = k
	}
	if key == "" {
		return ""
	}
	exp := strconv.FormatInt(now.Add(s.ttl()).Unix(), 10)
	return URL(key) + "?exp=" + exp + "&sig=" + s.sign(key, exp)
}

func (s *Store) sign(key, exp string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("photo\x00" + key + "\x00" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ErrBadSignature is the EFORBIDDEN error of a wrong or expired signature.
var ErrBadSignature = catalog.Errorf(catalog.EFORBIDDEN, "Invalid or expired photo signature")

// Verify checks a signed URL's exp and sig for key at now.
func (s *Store) Verify(key, exp, sig string, now time.Time) error {
	if len(s.secret) == 0 {
		return ErrBadSignature
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.Unix() >= t {
		return ErrBadSignature
	}
	want := s.sign(key, exp)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return ErrBadSignature
	}
	return nil
}

// Ext is the file extension of an image by its magic bytes.
func Ext(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG")):
		return ".png"
	case len(data) >= 12 && string(data[8:12]) == "WEBP":
		return ".webp"
	default:
		return ".jpg"
	}
}

// safeName allows one path element of letters, digits, '-', '_' and '.'
// (not starting with a dot).
func safeName(s string) bool {
	if s == "" || len(s) > 200 || s[0] == '.' {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}
