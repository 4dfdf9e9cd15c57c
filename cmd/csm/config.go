package main

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
	"github.com/collectorstash/csm/keycache"
	"github.com/collectorstash/csm/realtime"
)

// config is every setting of the binary, read from the environment once, at
// start-up, by loadConfig; flags override where offered. Nothing else in
// the program reads the environment.
type config struct {
	DatabaseURL string
	// RedisURL is CSM_REDIS_URL (redis://[:password@]host:port/db, rediss://
	// for TLS), else redis://CSM_REDIS_ADDR/0; Redis is its parsed form,
	// from which the one Redis client of the process is built.
	RedisURL     string
	Redis        *redis.Options
	Addr         string
	DataDir      string
	ExtraOrigins string
	// CacheTTL keeps v2 responses in memory (≤ their Cache-Control max-age).
	CacheTTL time.Duration
	// Accounts: the tcg_session signing secret (generated once and kept in
	// the database when empty), the Redis key prefix of the rate limiter
	// and the proxies trusted to set X-Forwarded-For.
	SessionSecret   string
	RateLimitPrefix string
	TrustedProxies  []string
	// PublicURL is the base of scan-session deeplinks (CSM_PUBLIC_URL).
	PublicURL string
	// Real time: the channel prefix and the WebSocket ping interval.
	RealtimePrefix  string
	StreamHeartbeat time.Duration

	// Recognition: the model file (CSM_MODEL pins one; else the active
	// version or card-embed-v2.onnx in CSM_MODELS_DIR), the ONNX Runtime
	// provider and threads, OCR variants (0 = the default).
	Model             string
	ModelPinned       bool
	ModelCheck        time.Duration
	ORTProvider       string
	RecognizerThreads int
	OCRVariants       int

	// Worker: the retraining schedule and settings, and the sweep that
	// re-queues scans whose queue entry was lost (RequeueAfter: how old a
	// queued scan must be before it is checked).
	RetrainCron  string
	Retrain      retrainOptions
	RequeueAfter time.Duration

	// Operations: /metrics on a listener of its own (API and worker), the
	// queue UI read-only, how long /recognize waits for the worker.
	MetricsAddr       string
	WorkerMetricsAddr string
	QueueUIReadOnly   bool
	RecognizeWait     time.Duration
	KeyCacheTTL       time.Duration

	// Mail (CSM_SMTP_*): notifications and listing reminders; no mail when
	// SMTPAddr is empty.
	SMTPAddr, SMTPFrom, SMTPUsername, SMTPPassword string

	// Capabilities: the forum's edit window, the listing-reminder
	// interval, the pricing Redis prefix and the ECB rates file, the API
	// URL the status page probes.
	ForumEditWindow        time.Duration
	MarketReminderInterval time.Duration
	PricingPrefix          string
	RatesFile              string
	StatusAPIURL           string
}

// loadConfig reads the environment through getenv (os.Getenv). A malformed
// value is an error naming the variable, never silently the default: every
// problem is reported at once.
func loadConfig(getenv func(string) string) (config, error) {
	e := envReader{get: getenv}
	c := config{
		DatabaseURL:     e.str("CSM_DATABASE_URL", "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable"),
		Addr:            e.str("CSM_ADDR", ":8000"),
		DataDir:         e.str("CSM_DATA_DIR", "var"),
		ExtraOrigins:    getenv("CORS_EXTRA_ORIGINS"),
		CacheTTL:        e.duration("CSM_CACHE_TTL", time.Minute, 0),
		SessionSecret:   e.str("CSM_SESSION_SECRET", getenv("SESSION_SECRET")),
		RateLimitPrefix: e.str("CSM_RATELIMIT_PREFIX", "csm:rl:"),
		TrustedProxies:  splitList(getenv("CSM_TRUSTED_PROXIES")),
		PublicURL:       e.str("CSM_PUBLIC_URL", "http://localhost:8000"),
		RealtimePrefix:  e.str("CSM_REALTIME_PREFIX", realtime.DefaultPrefix),
		StreamHeartbeat: e.duration("CSM_STREAM_HEARTBEAT", catalog.StreamHeartbeat, time.Second),

		ModelPinned:       getenv("CSM_MODEL") != "",
		ModelCheck:        e.duration("CSM_MODEL_CHECK", time.Minute, time.Second),
		ORTProvider:       e.str("CSM_ORT_PROVIDER", "cpu"),
		RecognizerThreads: e.integer("CSM_RECOGNIZER_THREADS", runtime.GOMAXPROCS(0), 1, 1024),
		OCRVariants:       e.integer("CSM_OCR_VARIANTS", 0, 1, 4),

		MetricsAddr:       getenv("CSM_METRICS_ADDR"),
		WorkerMetricsAddr: getenv("CSM_WORKER_METRICS_ADDR"),
		QueueUIReadOnly:   e.boolean("CSM_QUEUE_UI_READONLY"),
		RecognizeWait:     e.duration("CSM_RECOGNIZE_WAIT", 30*time.Second, time.Second),
		KeyCacheTTL:       e.duration("CSM_KEY_CACHE_TTL", keycache.DefaultTTL, 0),

		SMTPAddr:     getenv("CSM_SMTP_ADDR"),
		SMTPFrom:     e.str("CSM_SMTP_FROM", "Collector Stash Market <notifications@localhost>"),
		SMTPUsername: getenv("CSM_SMTP_USERNAME"),
		SMTPPassword: getenv("CSM_SMTP_PASSWORD"),

		ForumEditWindow:        e.duration("CSM_FORUM_EDIT_WINDOW", community.DefaultEditWindow, 0),
		MarketReminderInterval: e.duration("CSM_MARKET_REMINDER_INTERVAL", time.Hour, time.Second),
		PricingPrefix:          e.str("CSM_PRICING_PREFIX", "csm:pricing:"),
		RatesFile:              getenv("CSM_RATES_FILE"),
		StatusAPIURL:           getenv("CSM_STATUS_API_URL"),

		RetrainCron:  getenv("CSM_RETRAIN_CRON"),
		RequeueAfter: e.duration("CSM_REQUEUE_AFTER", 30*time.Second, time.Second),
		Retrain: retrainOptions{
			Steps:      e.integer("CSM_RETRAIN_STEPS", 300, 1, 1_000_000),
			TimeBudget: e.float("CSM_RETRAIN_MINUTES", 10),
			MinPairs:   e.integer("CSM_RETRAIN_MIN_PAIRS", 20, 1, 1_000_000),
			Seed:       1,
			Python:     e.str("CSM_PYTHON", "python3"),
			Script:     e.str("CSM_TRAIN_SCRIPT", "models/train.py"),
			Threads:    2,
		},
	}
	c.Model = getenv("CSM_MODEL")
	if c.Model == "" {
		c.Model = filepath.Join(e.str("CSM_MODELS_DIR", "models"), "card-embed-v2.onnx")
	}
	switch c.ORTProvider {
	case "cpu", "cuda":
	default:
		e.fail("CSM_ORT_PROVIDER", c.ORTProvider, "cpu or cuda")
	}
	if v := getenv("CSM_PUBLIC_URL"); v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			e.fail("CSM_PUBLIC_URL", v, "an absolute http(s) URL")
		}
	}
	if s := c.SessionSecret; s != "" && len(s) < 32 {
		e.errs = append(e.errs, errors.New("CSM_SESSION_SECRET: must be at least 32 bytes (leave it unset to have one generated and kept in the database)"))
	}
	c.RedisURL, c.Redis = e.redis()
	return c, errors.Join(e.errs...)
}

// envReader parses variables, collecting one error per malformed value.
type envReader struct {
	get  func(string) string
	errs []error
}

func (e *envReader) fail(name, value, want string) {
	e.errs = append(e.errs, fmt.Errorf("%s=%q: want %s", name, value, want))
}

func (e *envReader) str(name, def string) string {
	if v := e.get(name); v != "" {
		return v
	}
	return def
}

// duration parses a Go duration (90s, 5m, 1h30m) of at least lo.
func (e *envReader) duration(name string, def, lo time.Duration) time.Duration {
	v := strings.TrimSpace(e.get(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo {
		e.fail(name, v, fmt.Sprintf("a duration such as 90s or 5m, at least %s", lo))
		return def
	}
	return d
}

func (e *envReader) integer(name string, def, lo, hi int) int {
	v := strings.TrimSpace(e.get(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		e.fail(name, v, fmt.Sprintf("an integer from %d to %d", lo, hi))
		return def
	}
	return n
}

// boolean reads 1/true/yes or 0/false/no (empty: false).
func (e *envReader) boolean(name string) bool {
	switch v := strings.ToLower(strings.TrimSpace(e.get(name))); v {
	case "", "0", "false", "no":
		return false
	case "1", "true", "yes":
		return true
	default:
		e.fail(name, v, "1 or 0")
		return false
	}
}

func (e *envReader) float(name string, def float64) float64 {
	v := strings.TrimSpace(e.get(name))
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		e.fail(name, v, "a positive number")
		return def
	}
	return f
}

// redis reads CSM_REDIS_URL, else CSM_REDIS_ADDR (host:port), into the
// options of the process's one Redis client.
func (e *envReader) redis() (string, *redis.Options) {
	raw := e.get("CSM_REDIS_URL")
	name := "CSM_REDIS_URL"
	if raw == "" {
		name = "CSM_REDIS_ADDR"
		addr := e.str("CSM_REDIS_ADDR", "127.0.0.1:56379")
		if _, _, err := splitHostPort(addr); err != nil {
			e.fail(name, addr, "host:port")
			return "", nil
		}
		raw = "redis://" + addr + "/0"
	}
	opt, err := redis.ParseURL(raw)
	if err != nil {
		why := strings.ReplaceAll(err.Error(), raw, redactURL(raw)) // never the password
		e.fail(name, redactURL(raw), "redis://[user:password@]host:port/db or rediss:// for TLS ("+why+")")
		return "", nil
	}
	return raw, opt
}

func splitHostPort(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i <= 0 {
		return "", 0, errors.New("no port")
	}
	p, err := strconv.Atoi(addr[i+1:])
	if err != nil || p <= 0 || p > 65535 {
		return "", 0, errors.New("bad port")
	}
	return addr[:i], p, nil
}

// redactURL hides a password in an error message.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
