package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// rateLimit applies the seed's limits to every route but health checks,
// static files and CORS preflights:
//   - API keys: the tier's requests per minute, then its requests per day
//     (the day ends at midnight UTC on the server's clock); the headers
//     X-RateLimit-Limit/Remaining/Reset give the daily budget, or the
//     minute budget on a 429 caused by it;
//   - session cookies (the website): no limit; the headers say "unlimited";
//   - anonymous callers: AnonymousPerMinute per client IP, with its headers.
//
// Over a limit: 429 {"detail": "Rate limit exceeded. Retry after N
// seconds."} with Retry-After: N. If Redis fails the request is let through
// and the failure logged: the limiter protects capacity, it is not an
// access control.
func (s *Server) rateLimit() gin.HandlerFunc {
	return func(c *gin.Context) {
		if exemptFromLimits(c.Request) {
			c.Next()
			return
		}
		p := principalOf(c)
		switch p.Method {
		case catalog.AuthSession:
			setLimitHeaders(c, catalog.Unlimited, catalog.Unlimited, catalog.NextMidnightUTC(s.cfg.Now()))
		case catalog.AuthAPIKey:
			if !s.limitKey(c, p) {
				return
			}
		default:
			if !s.limitAnonymous(c) {
				return
			}
		}
		c.Next()
	}
}

func exemptFromLimits(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodOptions || p == "/health" || p == "/health/live" || p == "/api/health" || p == "/metrics" || strings.HasPrefix(p, "/static/")
}

// limitAnonymous counts one request of the client IP; false when it was
// refused (the 429 is written).
func (s *Server) limitAnonymous(c *gin.Context) bool {
	res, err := s.cfg.Limiter.AllowMinute(c.Request.Context(), "ip:"+c.ClientIP(), catalog.AnonymousPerMinute)
	if err != nil {
		s.cfg.Log.WarnContext(c.Request.Context(), "rate limiter unavailable, request let through", "err", err)
		return true
	}
	setLimitHeaders(c, res.Limit, res.Remaining, res.Reset)
	if !res.Allowed {
		s.tooMany(c, "Rate limit exceeded", res.RetryAfter)
		return false
	}
	return true
}

// limitKey applies the key's tier: per minute (a bucket per tier, so an
// upgrade or downgrade takes effect on the next request), then per day
// (one counter per key and UTC day: calls_today), in one Redis round trip.
func (s *Server) limitKey(c *gin.Context, p catalog.Principal) bool {
	ctx := c.Request.Context()
	lim := p.Tier.Limits()
	m, d, err := s.cfg.Limiter.TakeKey(ctx, minuteBucket(p.Key.ID, lim.Tier), lim.PerMinute,
		RequestBucket(p.Key.ID), lim.PerDay, s.cfg.Now())
	if err != nil {
		s.cfg.Log.WarnContext(ctx, "rate limiter unavailable, request let through", "err", err)
		return true
	}
	if !m.Allowed {
		setLimitHeaders(c, m.Limit, 0, m.Reset)
		s.tooMany(c, "Rate limit exceeded", m.RetryAfter)
		return false
	}
	setLimitHeaders(c, d.Limit, d.Remaining, d.Reset)
	if !d.Allowed {
		s.tooMany(c, "Rate limit exceeded", d.RetryAfter)
		return false
	}
	return true
}

// minuteBucket is the per-minute bucket of a key on a tier.
func minuteBucket(keyID int64, t catalog.Tier) string {
	return "key:" + strconv.FormatInt(keyID, 10) + ":" + string(t)
}

// RequestBucket is the daily request counter of a key (its calls_today),
// the day bucket of its TakeKey calls.
func RequestBucket(keyID int64) string { return "key:" + strconv.FormatInt(keyID, 10) }

// recognitionBucket is the daily scan counter of a key.
func recognitionBucket(keyID int64) string { return "rec:key:" + strconv.FormatInt(keyID, 10) }

// The limit headers' names in canonical form (as http.Header.Set would
// write them), so setting them neither canonicalizes nor allocates a name.
const (
	hdrLimit     = "X-Ratelimit-Limit"
	hdrRemaining = "X-Ratelimit-Remaining"
	hdrReset     = "X-Ratelimit-Reset"
)

// setLimitHeaders writes X-RateLimit-Limit/Remaining/Reset (the three
// values share one allocation).
func setLimitHeaders(c *gin.Context, limit, remaining int64, reset time.Time) {
	v := [...]string{limitString(limit), limitString(remaining), strconv.FormatInt(reset.Unix(), 10)}
	vals := v[:]
	h := c.Writer.Header()
	h[hdrLimit], h[hdrRemaining], h[hdrReset] = vals[0:1:1], vals[1:2:2], vals[2:3:3]
}

func limitString(n int64) string {
	if n == catalog.Unlimited {
		return "unlimited"
	}
	return strconv.FormatInt(n, 10)
}

// tooMany writes the 429 with Retry-After in whole seconds (at least 1).
func (s *Server) tooMany(c *gin.Context, what string, retry time.Duration) {
	secs := max(int64(math.Ceil(retry.Seconds())), 1)
	c.Header("Retry-After", strconv.FormatInt(secs, 10))
	s.fail(c, catalog.Errorf(catalog.ERATELIMIT, "%s. Retry after %d seconds.", what, secs))
}

// recognitionAccess guards the recognition routes: Starter tier or higher,
// or a session cookie (the seed's starter+). Only a server told so
// (Config.OpenRecognition) serves recognition openly.
func (s *Server) recognitionAccess() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.OpenRecognition {
			c.Next()
			return
		}
		if err := principalOf(c).Authorize(catalog.AccessStarter); err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
	}
}

// recognitionQuota is the daily scan quota of API keys on a route: spend > 0
// takes that many scans before the handler runs (/recognize); spend == 0
// only refuses a key whose quota is already used up (/recognize/bulk, which
// spends one per image with spendRecognition once it has read them).
func (s *Server) recognitionQuota(spend int) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.checkRecognition(c, spend); err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
	}
}

// spendRecognition takes n scans from the caller's daily recognition quota:
// API keys only (session users are unlimited; feedback and detect never
// spend). All or nothing: a bulk of 10 with 5 left is refused whole.
func (s *Server) spendRecognition(c *gin.Context, n int) error {
	p := principalOf(c)
	if s.cfg.Accounts == nil || s.cfg.Limiter == nil || p.Method != catalog.AuthAPIKey || n <= 0 {
		return nil
	}
	limit := p.Tier.Limits().RecognitionPerDay
	res, err := s.cfg.Limiter.TakeDaily(c.Request.Context(), recognitionBucket(p.Key.ID), int64(n), limit, s.cfg.Now())
	if err != nil {
		return err
	}
	c.Header("X-Recognition-Limit", limitString(limit))
	c.Header("X-Recognition-Remaining", limitString(res.Remaining))
	if !res.Allowed {
		secs := max(int64(math.Ceil(res.RetryAfter.Seconds())), 1)
		c.Header("Retry-After", strconv.FormatInt(secs, 10))
		return catalog.Errorf(catalog.ERATELIMIT, "Daily recognition quota exceeded (%s scans a day). Retry after %d seconds.",
			limitString(limit), secs)
	}
	return nil
}

// checkRecognition spends n scans, or with n == 0 refuses a key whose quota
// is already used up.
func (s *Server) checkRecognition(c *gin.Context, n int) error {
	if n > 0 {
		return s.spendRecognition(c, n)
	}
	p := principalOf(c)
	if s.cfg.Accounts == nil || s.cfg.Limiter == nil || p.Method != catalog.AuthAPIKey {
		return nil
	}
	limit := p.Tier.Limits().RecognitionPerDay
	if limit == catalog.Unlimited {
		return nil
	}
	now := s.cfg.Now()
	used, err := s.cfg.Limiter.UsedToday(c.Request.Context(), []string{recognitionBucket(p.Key.ID)}, now)
	if err != nil {
		return err
	}
	if used[0] >= limit {
		secs := max(int64(math.Ceil(catalog.NextMidnightUTC(now).Sub(now).Seconds())), 1)
		c.Header("Retry-After", strconv.FormatInt(secs, 10))
		return catalog.Errorf(catalog.ERATELIMIT, "Daily recognition quota exceeded (%d scans a day). Retry after %d seconds.", limit, secs)
	}
	return nil
}
