package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

const principalKey = "csm.principal"

// principalOf returns the caller resolved by authenticate (anonymous when
// accounts are not configured).
func principalOf(c *gin.Context) catalog.Principal {
	if v, ok := c.Get(principalKey); ok {
		return v.(catalog.Principal)
	}
	return catalog.Principal{}
}

// authenticate resolves every request's caller once:
//   - an API key (Bearer, X-API-Key or ?api_key=) wins; a bad, revoked or
//     expired key is 401 on every route, and counts against the IP's
//     anonymous budget so guessing is throttled;
//   - else a valid tcg_session cookie whose session still exists; a bad or
//     ended one is dropped (and cleared) and the caller is anonymous, so a
//     stale cookie never breaks public pages;
//   - else anonymous.
//
// It then rejects cross-site writes made with the cookie (see sameSite).
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := s.resolve(c)
		if err != nil {
			if catalog.ErrorCode(err) == catalog.EUNAUTHORIZED && s.cfg.Limiter != nil && !s.limitAnonymous(c) {
				return
			}
			s.fail(c, err)
			return
		}
		c.Set(principalKey, p)
		if !s.sameSite(c.Request, p) {
			s.fail(c, catalog.Errorf(catalog.EFORBIDDEN, "Cross-site request rejected: Origin not allowed"))
			return
		}
		c.Next()
	}
}

func (s *Server) resolve(c *gin.Context) (catalog.Principal, error) {
	key, err := apiKeyFrom(c.Request.Header, c.Request.URL.RawQuery)
	if err != nil {
		return catalog.Principal{}, catalog.Errorf(catalog.EUNAUTHORIZED, "Invalid API key")
	}
	if key != "" {
		return s.keyPrincipal(c.Request.Context(), key)
	}
	ck, err := c.Request.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return catalog.Principal{}, nil
	}
	p, err := s.sessionPrincipal(c.Request.Context(), ck.Value)
	switch catalog.ErrorCode(err) {
	case "":
		return p, nil
	case catalog.EUNAUTHORIZED, catalog.ENOTFOUND:
		// only a definite "no such session" (bad signature, expired,
		// logged out) ends it: an outage must not sign the user out
		s.setSessionCookie(c, "", -1)
		return catalog.Principal{}, nil
	default: // an outage (503) or a fault: the cookie stays
		return p, err
	}
}

// keyPrincipal looks a key up by its hash and checks it is usable now.
func (s *Server) keyPrincipal(ctx context.Context, key string) (catalog.Principal, error) {
	invalid := catalog.Errorf(catalog.EUNAUTHORIZED, "Invalid API key")
	if !catalog.ValidKeyFormat(key) {
		return catalog.Principal{}, invalid
	}
	k, u, err := s.cfg.Keys.KeyByHash(ctx, catalog.HashKey(key))
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		return catalog.Principal{}, invalid
	}
	if err != nil {
		return catalog.Principal{}, err
	}
	now := s.cfg.Now()
	switch {
	case !k.IsActive:
		return catalog.Principal{}, catalog.Errorf(catalog.EUNAUTHORIZED, "API key revoked")
	case k.Expired(now):
		return catalog.Principal{}, catalog.Errorf(catalog.EUNAUTHORIZED, "API key expired")
	case u.Deleted(now):
		return catalog.Principal{}, invalid
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= time.Minute || now.Before(*k.LastUsedAt) {
		s.touchKey(ctx, k.ID, now)
	}
	return catalog.Principal{Method: catalog.AuthAPIKey, User: u, Tier: k.EffectiveTier(u.Tier), Key: &k}, nil
}

// touchKeyTimeout bounds a last_used_at write.
const touchKeyTimeout = 5 * time.Second

// touchKey records a key's use (last_used_at, written at most once a
// minute) in the background: no request waits for this bookkeeping write,
// which under load can take a commit's fsync, and of the requests that find
// the key's last_used_at stale at the same moment only the first starts a
// write (one in flight per key and process). Access checks never depend on
// it: revocation, expiry and the limits are decided before.
func (s *Server) touchKey(ctx context.Context, id int64, now time.Time) {
	if _, busy := s.touching.LoadOrStore(id, struct{}{}); busy {
		return
	}
	go func() {
		defer s.touching.Delete(id)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), touchKeyTimeout)
		defer cancel()
		if err := s.cfg.Keys.TouchKey(ctx, id, now); err != nil {
			s.cfg.Log.WarnContext(ctx, "api key last_used_at not updated", "key_id", id, "err", err)
		}
	}()
}

// sessionPrincipal verifies the cookie's signature and expiry, then that
// its session still exists (logout and password changes delete it).
func (s *Server) sessionPrincipal(ctx context.Context, token string) (catalog.Principal, error) {
	uid, idHash, err := s.parseSessionToken(token)
	if err != nil {
		return catalog.Principal{}, catalog.Errorf(catalog.EUNAUTHORIZED, "Invalid session")
	}
	u, err := s.cfg.Accounts.SessionUser(ctx, idHash, s.cfg.Now())
	if err != nil {
		return catalog.Principal{}, err
	}
	if u.ID != uid || u.Deleted(s.cfg.Now()) {
		return catalog.Principal{}, catalog.Errorf(catalog.EUNAUTHORIZED, "Invalid session")
	}
	return catalog.Principal{Method: catalog.AuthSession, User: u, Tier: u.Tier, SessionHash: idHash}, nil
}

// sameSite is the cross-site request forgery check. The cookie is
// SameSite=Lax, and on top of that every state-changing request (not GET,
// HEAD, OPTIONS) that is not made with an API key must come from an allowed
// origin: its Origin header (or, without one, its Referer) must be on the
// CORS allow-list or be this server's own origin. A request with neither
// header passes: browsers send Origin on every cross-origin POST, PUT,
// PATCH and DELETE (whatever the referrer policy), so it comes from a
// non-browser client such as the documented `curl -b cookies.txt -X POST …`,
// which holds the cookie itself and has nothing to forge.
// API-key requests pass: a forged cross-site request cannot carry the key.
func (s *Server) sameSite(r *http.Request, p catalog.Principal) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if p.Method == catalog.AuthAPIKey {
		return true
	}
	src := r.Header.Get("Origin")
	if src == "" {
		if ref := r.Header.Get("Referer"); ref != "" {
			if src = originOf(ref); src == "" {
				return false
			}
		}
	}
	if src == "" {
		return true
	}
	if _, ok := s.origins[src]; ok {
		return true
	}
	scheme := "http"
	if overTLS(r) {
		scheme = "https"
	}
	return src == scheme+"://"+r.Host
}

// originOf returns scheme://host of an absolute http(s) URL, "" otherwise.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// require is an access tag on a route: 401 without valid credentials,
// 403 when the tier is too low or the caller is not an admin, the same
// rule (catalog.Principal.Authorize) for every route.
func (s *Server) require(a catalog.Access) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := principalOf(c).Authorize(a); err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
	}
}
