package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// keyView is an API key as listed: the seed's fields plus its recognition
// quota. Key is present only in the answer that created it.
type keyView struct {
	ID                 int64        `json:"id"`
	Name               string       `json:"name"`
	Key                string       `json:"key,omitempty"`
	Prefix             string       `json:"prefix"`
	Tier               catalog.Tier `json:"tier"`
	IsActive           bool         `json:"is_active"`
	DailyLimit         *int64       `json:"daily_limit"`
	RateLimitPerMinute *int64       `json:"rate_limit_per_minute"`
	RecognitionPerDay  *int64       `json:"recognition_per_day"`
	CallsToday         int64        `json:"calls_today"`
	LastUsedAt         *time.Time   `json:"last_used_at"`
	CreatedAt          time.Time    `json:"created_at"`
	ExpiresAt          *time.Time   `json:"expires_at"`
}

func limitPtr(n int64) *int64 {
	if n == catalog.Unlimited {
		return nil // ∞ is null
	}
	return &n
}

func (s *Server) viewKey(k catalog.APIKey, account catalog.Tier, callsToday int64) keyView {
	lim := k.EffectiveTier(account).Limits()
	return keyView{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Tier: lim.Tier,
		IsActive: k.IsActive && !k.Expired(s.cfg.Now()), DailyLimit: limitPtr(lim.PerDay),
		RateLimitPerMinute: limitPtr(lim.PerMinute), RecognitionPerDay: limitPtr(lim.RecognitionPerDay),
		CallsToday: callsToday, LastUsedAt: k.LastUsedAt, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt}
}

// listKeys is GET /api/keys: {"items": [...]}, newest first, revoked keys
// included (is_active false); calls_today comes from the limiter's counters.
func (s *Server) listKeys(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	p := principalOf(c)
	ctx := c.Request.Context()
	keys, err := s.cfg.Keys.Keys(ctx, p.User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	calls := make([]int64, len(keys))
	if s.cfg.Limiter != nil && len(keys) > 0 {
		buckets := make([]string, len(keys))
		for i, k := range keys {
			buckets[i] = RequestBucket(k.ID)
		}
		if got, err := s.cfg.Limiter.UsedToday(ctx, buckets, s.cfg.Now()); err == nil {
			calls = got
		} else {
			s.cfg.Log.WarnContext(ctx, "calls_today unavailable", "err", err)
		}
	}
	items := make([]keyView, len(keys))
	for i, k := range keys {
		items[i] = s.viewKey(k, p.User.Tier, calls[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// createKeyBody is POST /api/keys.
type createKeyBody struct {
	Name      string  `json:"name"`
	Tier      *string `json:"tier"`
	ExpiresAt *string `json:"expires_at"`
}

const maxKeyName = 100

// createKey issues a key: 201 with the key itself, shown this once. The
// tier defaults to the account's (and then follows it); a tier above the
// caller's, or one key more than the account's tier allows, is 403.
func (s *Server) createKey(c *gin.Context) {
	var b createKeyBody
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	name := strings.TrimSpace(b.Name)
	if name == "" {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "name required"))
		return
	}
	p := principalOf(c)
	now := s.cfg.Now()
	v := newParams(c)
	if len([]rune(name)) > maxKeyName {
		v.add("body", "name", "ensure this value has at most 100 characters", "value_error.any_str.max_length")
	}
	var tier *catalog.Tier
	if b.Tier != nil {
		if t, ok := catalog.ParseTier(*b.Tier); ok {
			tier = &t
		} else {
			v.add("body", "tier", "value is not a valid enumeration member; permitted: "+quoteAll(catalog.TierNames()), "type_error.enum")
		}
	}
	var expires *time.Time
	if b.ExpiresAt != nil && *b.ExpiresAt != "" {
		t, ok := parseDateTime(*b.ExpiresAt)
		switch {
		case !ok:
			v.add("body", "expires_at", "invalid datetime format", "value_error.datetime")
		case !t.After(now):
			v.add("body", "expires_at", "expires_at must be in the future", "value_error.datetime")
		default:
			expires = &t
		}
	}
	if err := v.err(); err != nil {
		s.fail(c, err)
		return
	}
	// the caller's own tier bounds the new key: an API key capped below its
	// account cannot mint a stronger one (and its keys are pinned to it)
	if tier != nil && !p.Tier.AtLeast(*tier) {
		s.fail(c, catalog.Errorf(catalog.EFORBIDDEN, "Tier too low: you are on %s", p.Tier))
		return
	}
	if tier == nil && p.Tier != p.User.Tier {
		tier = &p.Tier
	}
	key := catalog.GenerateKey()
	k, err := s.cfg.Keys.CreateKey(c.Request.Context(), catalog.NewKey{UserID: p.User.ID, Name: name,
		Prefix: catalog.KeyPrefix(key), Hash: catalog.HashKey(key), Tier: tier, CreatedAt: now, ExpiresAt: expires},
		p.User.Tier.Limits().Keys, now)
	if err != nil {
		s.fail(c, err)
		return
	}
	view := s.viewKey(k, p.User.Tier, 0)
	view.Key = key
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, view)
}

// parseDateTime reads an ISO 8601 date-time (RFC 3339) or a bare date
// (midnight UTC).
func parseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ownKey loads key :id and checks the caller owns it (404 / 403).
func (s *Server) ownKey(c *gin.Context) (catalog.APIKey, bool) {
	v := newParams(c)
	id := v.intRange("path", "id", 0, 1, 1<<62)
	if err := v.err(); err != nil {
		s.fail(c, err)
		return catalog.APIKey{}, false
	}
	k, err := s.cfg.Keys.Key(c.Request.Context(), id)
	if err == nil {
		err = principalOf(c).Owns(k.UserID)
	}
	if err != nil {
		s.fail(c, err)
		return k, false
	}
	return k, true
}

// renameKey is PATCH /api/keys/{id} {"name"}.
func (s *Server) renameKey(c *gin.Context) {
	var b struct {
		Name string `json:"name"`
	}
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	name := strings.TrimSpace(b.Name)
	if name == "" {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "name required"))
		return
	}
	if len([]rune(name)) > maxKeyName {
		s.fail(c, catalog.Validation([]string{"body", "name"}, "ensure this value has at most 100 characters", "value_error.any_str.max_length"))
		return
	}
	k, ok := s.ownKey(c)
	if !ok {
		return
	}
	k, err := s.cfg.Keys.RenameKey(c.Request.Context(), k.ID, name)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := principalOf(c)
	var calls int64
	if s.cfg.Limiter != nil {
		if got, err := s.cfg.Limiter.UsedToday(c.Request.Context(), []string{RequestBucket(k.ID)}, s.cfg.Now()); err == nil {
			calls = got[0]
		}
	}
	c.JSON(http.StatusOK, s.viewKey(k, p.User.Tier, calls))
}

// revokeKey is DELETE /api/keys/{id}: 204; the key stops working at once
// and stays listed as inactive.
func (s *Server) revokeKey(c *gin.Context) {
	k, ok := s.ownKey(c)
	if !ok {
		return
	}
	if _, err := s.cfg.Keys.RevokeKey(c.Request.Context(), k.ID, s.cfg.Now()); err != nil {
		s.fail(c, err)
		return
	}
	s.cfg.Log.InfoContext(c.Request.Context(), "api key revoked", "key_id", k.ID, "user_id", k.UserID)
	c.Status(http.StatusNoContent)
}
