// Package api is the Gin HTTP edge: the Data API v2, health checks and the
// conventions every route shares (error shape, 422 lists, CORS, caching,
// request logging). It depends only on the catalog domain interfaces.
package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/accountmail"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/community"
	"github.com/collectorstash/csm/internal/reqid"
	"github.com/collectorstash/csm/market"
	"github.com/collectorstash/csm/meta"
	"github.com/collectorstash/csm/metrics"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/pricing"
	"github.com/collectorstash/csm/scanning"
)

// Config wires the server to its dependencies.
type Config struct {
	Catalog catalog.Reader
	Log     *slog.Logger
	// Now is the clock (tests inject one); time.Now by default.
	Now func() time.Time
	// ExtraOrigins are added to the CORS allow-list (CORS_EXTRA_ORIGINS).
	ExtraOrigins []string
	// StaticDir serves /static (card images, scans); "" = not served.
	StaticDir string
	// CacheTTL keeps v2 responses in memory this long (≤ their max-age);
	// 0 disables the response cache. CacheSize bounds its entries.
	CacheTTL  time.Duration
	CacheSize int

	// Scanning is the recognition service (optional: /api/cards/recognize…,
	// /api/scan-sessions and /api/photos exist when set; scan sessions also
	// need Accounts).
	Scanning *scanning.Service
	Detect   catalog.QuickDetector
	// ValidateImage checks an upload's format and size before it is stored
	// (415 / 413 / 400 as catalog errors).
	ValidateImage func([]byte) error
	// OpenRecognition serves the recognition routes to anyone, without
	// accounts (benchmarks, tests of the pipeline): it must be asked for;
	// recognition without Accounts and without it is a configuration error.
	OpenRecognition bool

	// Accounts and Keys (optional, together: /auth, /api/account and
	// /api/keys exist, callers are authenticated and the access tags
	// enforced when set). SessionSecret signs tcg_session (HS256).
	Accounts      catalog.AccountStore
	Keys          catalog.KeyStore
	SessionSecret []byte
	// Limiter enforces the tiers' rate limits and recognition quotas; nil
	// disables them.
	Limiter catalog.RateLimiter
	// PublicURL is the base of scan-session deeplinks (CSM_PUBLIC_URL;
	// http://localhost:8000).
	PublicURL string
	// Pages renders the Scan PWA pages (/scan-pwa, /login, /scan, …);
	// nil serves none.
	Pages Pages

	// TrustedProxies may set X-Forwarded-For (IPs or CIDRs); none by default,
	// so the anonymous per-IP limit uses the peer address.
	TrustedProxies []string

	// Real-time API (optional: /api/v1/stream and /ws/v1 exist when Stream
	// is set). StreamConns counts connections per key, account or IP
	// across processes (nil: not limited); StreamHeartbeat is the ping
	// interval (25 s); StreamMaxConns overrides the 20 connections allowed
	// per key or IP (benchmarks).
	Stream          catalog.StreamHub
	StreamConns     catalog.ConnLimiter
	StreamHeartbeat time.Duration
	StreamMaxConns  int

	// Operations (optional): Metrics records request latencies and is
	// served at GET /metrics unless MetricsElsewhere (a listener of its
	// own, CSM_METRICS_ADDR); QueueUI (asynqmon) is mounted at
	// /admin/queues for admins.
	Metrics          *metrics.Metrics
	MetricsElsewhere bool
	QueueUI          http.Handler
	// Pricing serves the legacy catalogue, search, prices and history,
	// market intelligence, predictions and the Stash Score (optional).
	Pricing *pricing.Service
	// Collection (optional, with Accounts: /collection, /wishlist,
	// /alerts, /decks, /me/privacy, /me/avatar and /users/{username}).
	Collection *collection.Service
	// Notify (optional, with Accounts: /api/notifications).
	Notify *notify.Service
	// Community (optional: /api/messages, /api/blocks, /api/reports and
	// the forum exist when set).
	Community *community.Service
	// Meta (optional: /api/health's counters, /api/stats, the status page,
	// the app version manifest and /api/devices exist when set).
	Meta *meta.Service
	// Market is the marketplace (optional: listings, bids, transactions,
	// seller accounts, verification codes and platform settings exist when
	// set, with Accounts).
	Market *market.Service
	// AccountMail is password reset by e-mail and e-mail verification
	// (optional, with Accounts).
	AccountMail *accountmail.Service
}

// Server is the HTTP API.
type Server struct {
	cfg     Config
	secret  []byte
	origins map[string]struct{}
	// touching holds the ids of the API keys whose last_used_at write is
	// in flight (see touchKey).
	touching sync.Map
}

// New returns the API's http.Handler. A route group whose dependencies are
// only partly configured is an error (see Config.validate), never silently
// absent.
func New(cfg Config) (http.Handler, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Log = slog.New(reqid.Handler(cfg.Log.Handler())) // request_id on every line of a request
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg}
	s.initAccounts()
	r := gin.New()
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("api: trusted proxies: %w", err)
	}
	r.Use(s.requestID(), s.recovery(), s.requestLog(), s.observe(), cors(cfg.ExtraOrigins), s.textGuard())
	r.Use(s.accessMiddleware()...)
	r.NoRoute(func(c *gin.Context) { s.fail(c, catalog.Errorf(catalog.ENOTFOUND, "Not Found")) })
	r.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, gin.H{"detail": "Method Not Allowed"})
	})

	r.GET("/health", s.health)
	r.GET("/health/live", s.live)
	if cfg.Meta == nil {
		r.GET("/api/health", s.health)
	}

	v2 := r.Group("/api/v2")
	if cfg.CacheTTL > 0 {
		if cfg.CacheSize <= 0 {
			cfg.CacheSize = 50_000
		}
		v2.Use(newRespCache(cfg.CacheSize, cfg.CacheTTL).middleware())
	}
	v2.GET("/stats", cache(300), s.stats)
	v2.GET("/games", cache(300), s.games)
	v2.GET("/games/:slug", cache(300), s.game)
	v2.GET("/sets/:id", cache(300), s.set)
	v2.GET("/cards", cache(120), s.findCards)
	v2.GET("/cards/:id", cache(120), s.card)
	v2.GET("/cards/:id/history", cache(120), s.history)

	if cfg.Accounts != nil {
		s.accountRoutes(r)
	}
	if cfg.Scanning != nil {
		s.scanningRoutes(r)
	}
	s.operationsRoutes(r)
	if cfg.Pages != nil {
		s.pageRoutes(r)
	}
	if cfg.Stream != nil {
		s.streamRoutes(r)
	}
	s.docsRoutes(r)
	if cfg.Pricing != nil {
		s.legacyRoutes(r)
		s.pricingRoutes(r)
		s.intelRoutes(r)
		s.pricingPageRoutes(r)
	}
	if cfg.Collection != nil {
		s.collectionRoutes(r)
	}
	if cfg.Notify != nil {
		s.notifyRoutes(r)
	}
	if cfg.Community != nil {
		s.communityRoutes(r)
	}
	if cfg.Meta != nil {
		s.metaRoutes(r)
	}
	if cfg.Market != nil {
		s.marketRoutes(r)
	}
	if cfg.AccountMail != nil && cfg.Accounts != nil {
		s.accountEmailRoutes(r)
	}
	s.staticRoutes(r)
	return r, nil
}

// cache marks a route's successful responses cacheable for seconds; ok
// writes the header, fail writes no-store.
func cache(seconds int) gin.HandlerFunc {
	v := "public, max-age=" + itoa(seconds)
	return func(c *gin.Context) { c.Set(cacheKey, v) }
}

const cacheKey = "csm.cache"

// ok writes a 200 JSON body with the route's Cache-Control.
func ok(c *gin.Context, body any) {
	if v := c.GetString(cacheKey); v != "" {
		c.Header("Cache-Control", v)
	}
	c.JSON(http.StatusOK, body)
}

// okJSON is ok for a body that is JSON already (a stored document).
func okJSON(c *gin.Context, body []byte) {
	if v := c.GetString(cacheKey); v != "" {
		c.Header("Cache-Control", v)
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}
