package catalog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"time"
)

// APIKey is a stored key: its hash and a visible prefix, never the key.
type APIKey struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"-"`
	Name   string `json:"name"`
	Prefix string `json:"prefix"`
	// Tier is the key's own tier; nil follows the account's tier.
	Tier      *Tier      `json:"-"`
	IsActive  bool       `json:"is_active"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"-"`
	// LastUsedAt is refreshed at most once a minute per key.
	LastUsedAt *time.Time `json:"last_used_at"`
	Hash       []byte     `json:"-"`
}

// EffectiveTier is the key's tier capped by its account's: downgrading an
// account downgrades its keys, and a key without a tier of its own follows
// upgrades.
func (k APIKey) EffectiveTier(account Tier) Tier {
	if k.Tier == nil {
		return account.Limits().Tier
	}
	return Lower(*k.Tier, account)
}

// Expired reports whether the key's expiry has passed at now.
func (k APIKey) Expired(now time.Time) bool { return k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) }

// NewKey is a key to store.
type NewKey struct {
	UserID    int64
	Name      string
	Prefix    string
	Hash      []byte
	Tier      *Tier
	CreatedAt time.Time
	ExpiresAt *time.Time
}

// KeyStore keeps API keys.
type KeyStore interface {
	// CreateKey stores k unless the user already holds maxActive active,
	// unexpired keys (EFORBIDDEN), atomically.
	CreateKey(ctx context.Context, k NewKey, maxActive int, now time.Time) (APIKey, error)
	// Keys lists a user's keys, newest first.
	Keys(ctx context.Context, userID int64) ([]APIKey, error)
	// Key returns one key by id (ENOTFOUND).
	Key(ctx context.Context, id int64) (APIKey, error)
	RenameKey(ctx context.Context, id int64, name string) (APIKey, error)
	RevokeKey(ctx context.Context, id int64, now time.Time) (APIKey, error)
	// KeyByHash returns the key with that hash and its account (ENOTFOUND).
	KeyByHash(ctx context.Context, hash []byte) (APIKey, User, error)
	// TouchKey sets last_used_at = now when it is older than a minute.
	TouchKey(ctx context.Context, id int64, now time.Time) error
}

// Key format: "csm_" and 40 characters of [0-9A-Za-z] (≈238 bits). The
// visible prefix is the first 12 characters.
const (
	KeyScheme    = "csm_"
	keyBodyLen   = 40
	KeyLen       = len(KeyScheme) + keyBodyLen
	KeyPrefixLen = 12
	keyAlphabet  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// GenerateKey returns a new random API key.
func GenerateKey() string {
	b := make([]byte, keyBodyLen)
	out := make([]byte, 0, KeyLen)
	out = append(out, KeyScheme...)
	for len(out) < KeyLen {
		_, _ = rand.Read(b)
		for _, c := range b {
			// 62*4 = 248: reject the top values so every character is uniform
			if c < 248 && len(out) < KeyLen {
				out = append(out, keyAlphabet[c%62])
			}
		}
	}
	return string(out)
}

// ValidKeyFormat reports whether s looks like a key this server issues.
func ValidKeyFormat(s string) bool {
	if len(s) != KeyLen || s[:len(KeyScheme)] != KeyScheme {
		return false
	}
	for i := len(KeyScheme); i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// HashKey is the stored form of a key. Keys carry ~238 random bits, so one
// SHA-256 is enough: there is nothing to brute-force.
func HashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// KeyPrefix is the part of a key shown in listings.
func KeyPrefix(key string) string {
	if len(key) < KeyPrefixLen {
		return key
	}
	return key[:KeyPrefixLen]
}
