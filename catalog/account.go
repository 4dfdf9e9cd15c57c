package catalog

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// User is an account. PasswordHash never leaves the server.
type User struct {
	ID           int64     `json:"id"`
	Username     string    `json:"username"`
	Email        string    `json:"email"`
	DisplayName  *string   `json:"display_name"`
	Country      *string   `json:"country"`
	Tier         Tier      `json:"tier"`
	IsAdmin      bool      `json:"is_admin"`
	IsSeller     bool      `json:"is_seller"`
	CreatedAt    time.Time `json:"created_at"`
	PasswordHash string    `json:"-"`
	// DeleteAfter is set while the account is flagged for deletion: it is
	// removed at that time unless the owner cancels before.
	DeleteAfter *time.Time `json:"deletion_scheduled_at"`
}

// Deleted reports whether the account's deletion time has passed: it can
// no longer sign in or use its keys, and waits to be purged.
func (u User) Deleted(now time.Time) bool {
	return u.DeleteAfter != nil && !now.Before(*u.DeleteAfter)
}

// NewUser is a registration, already validated and hashed.
type NewUser struct {
	Username     string
	Email        string
	PasswordHash string
	DisplayName  *string
	Country      *string
	Tier         Tier
	CreatedAt    time.Time
}

// Profile holds the fields a user edits; nil leaves a field unchanged.
type Profile struct {
	DisplayName *string
	Country     *string
}

// Session is one signed-in browser. Only the hash of its id is stored.
type Session struct {
	IDHash    []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionTTL is the lifetime of a tcg_session cookie and its session.
const SessionTTL = 30 * 24 * time.Hour

// DeletionGrace is how long a flagged account can still cancel its deletion.
const DeletionGrace = 24 * time.Hour

// AccountStore keeps users and their sessions.
type AccountStore interface {
	// CreateUser adds an account: ECONFLICT "username already taken" or
	// "email already registered" on a duplicate.
	CreateUser(ctx context.Context, u NewUser) (User, error)
	// UserByLogin finds an account by username or e-mail (ENOTFOUND).
	UserByLogin(ctx context.Context, login string) (User, error)
	User(ctx context.Context, id int64) (User, error)
	UpdateProfile(ctx context.Context, id int64, p Profile) (User, error)
	// SetPassword replaces the hash and ends every session of the user.
	SetPassword(ctx context.Context, id int64, hash string) error
	// ScheduleDeletion flags the account for deletion at at; nil cancels.
	ScheduleDeletion(ctx context.Context, id int64, at *time.Time) (User, error)
	// SetTier and SetAdmin change an account by username (ENOTFOUND).
	SetTier(ctx context.Context, username string, t Tier) (User, error)
	SetAdmin(ctx context.Context, username string, admin bool) (User, error)
	// PurgeDeleted removes accounts whose deletion time has passed, and
	// expired sessions; it returns how many accounts went.
	PurgeDeleted(ctx context.Context, now time.Time) (int64, error)

	CreateSession(ctx context.Context, s Session) error
	// SessionUser returns the user of a live session (ENOTFOUND when the
	// session ended, expired or never was).
	SessionUser(ctx context.Context, idHash []byte, now time.Time) (User, error)
	DeleteSession(ctx context.Context, idHash []byte) error
}

// NormalizeUsername lowercases and checks a username: 3–30 characters of
// a–z, 0–9, '-', '_' and '.', starting with a letter or digit.
func NormalizeUsername(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < 3 || len(s) > 30 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '-' || c == '_' || c == '.') && i > 0:
		default:
			return "", false
		}
	}
	return s, true
}

// NormalizeEmail lowercases and loosely checks an address: one '@', a
// non-empty local part, a dotted domain, no spaces or controls, ≤ 254 bytes.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 254 || !utf8.ValidString(s) {
		return "", false
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') {
		return "", false
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(domain, "..") {
		return "", false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' || r == ',' || r == ';' {
			return "", false
		}
	}
	return s, true
}

// Password bounds: at least 8 characters; at most 1024 bytes so hashing
// stays cheap.
const (
	MinPasswordChars = 8
	MaxPasswordBytes = 1024
)

// CheckPassword reports why a new password is unacceptable ("" when fine).
func CheckPassword(p string) string {
	switch {
	case utf8.RuneCountInString(p) < MinPasswordChars:
		return "ensure this value has at least 8 characters"
	case len(p) > MaxPasswordBytes:
		return "ensure this value has at most 1024 bytes"
	}
	return ""
}

// NormalizeCountry checks an ISO 3166-1 alpha-2 code and upper-cases it.
func NormalizeCountry(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return "", false
	}
	return s, true
}

// DeleteConfirmation is the phrase that confirms deleting username.
func DeleteConfirmation(username string) string { return "DELETE " + username }

// ConfirmsDeletion reports whether confirm is exactly "DELETE <username>"
// (surrounding spaces forgiven; the word and the name are exact).
func ConfirmsDeletion(confirm, username string) bool {
	return username != "" && strings.TrimSpace(confirm) == DeleteConfirmation(username)
}
