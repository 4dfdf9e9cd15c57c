package api_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/metrics"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/ratelimit"
	"github.com/collectorstash/csm/scanning"
)

// redisAddr is the toolbox's Redis unless CSM_REDIS_ADDR says otherwise.
func redisAddr() string {
	if a := os.Getenv("CSM_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:56379"
}

// testClock is the injected clock; tests move it to cross midnight or let
// keys, sessions and deletion grace periods run out.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *testClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// logBuffer captures the server's slog output, safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// acct is the API with accounts over real HTTP on a fresh schema and a
// Redis key prefix of its own.
type acct struct {
	t      *testing.T
	url    string
	db     *postgres.DB
	lim    *ratelimit.Leased
	clock  *testClock
	logs   *logBuffer
	prefix string
	data   string            // DataDir with recognition
	scans  *scanning.Service // with acctOptions.scanning or recognition
}

// acctStart is the clock's first reading: midday, so a test can reach
// midnight UTC by moving it.
var acctStart = time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)

type acctOptions struct {
	noLimiter bool
	origins   []string
	// recognition adds recognition, scan sessions, the pages and /static,
	// with a worker running a stand-in pipeline (recognition_setup_test.go).
	recognition bool
	// scanning serves recognition, scan sessions and photos (a queue no
	// worker takes; photos under a temporary directory).
	scanning bool
	// metrics records and serves /metrics (the limiter's decisions too);
	// queueUI is mounted at /admin/queues.
	metrics *metrics.Metrics
	queueUI http.Handler
	// configure adds a capability's dependencies to the server's config.
	configure func(f *acct, cfg *api.Config)
	// accounts wraps the account store (fault injection)
	accounts func(catalog.AccountStore) catalog.AccountStore
}

func setupAccounts(t *testing.T, opts ...acctOptions) *acct {
	t.Helper()
	var o acctOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	db, _ := pgtest.New(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	f := &acct{t: t, db: db, clock: &testClock{t: acctStart}, logs: &logBuffer{}, prefix: "test:" + hex.EncodeToString(b) + ":"}
	cfg := api.Config{
		Catalog: db, Accounts: db, Keys: db,
		Log:           slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           f.clock.Now,
		SessionSecret: []byte("test-secret-test-secret-test-secret!"),
		ExtraOrigins:  append([]string{"https://shop.example"}, o.origins...),
	}
	if o.accounts != nil {
		cfg.Accounts = o.accounts(db)
	}
	if !o.noLimiter {
		// leased as `csm serve` wires it; frozen: no refill unless a test moves it
		f.lim = ratelimit.NewLeased(ratelimit.Open(redisAddr(), f.prefix).WithClock(f.clock.Now), ratelimit.LeaseOptions{})
		require.NoError(t, f.lim.Ping(t.Context()), "redis must be running (make services)")
		t.Cleanup(func() { _ = f.lim.Close() })
		cfg.Limiter = f.lim
	}
	if o.metrics != nil {
		cfg.Metrics = o.metrics
		if cfg.Limiter != nil {
			cfg.Limiter = o.metrics.WrapLimiter(f.lim)
		}
	}
	cfg.QueueUI = o.queueUI
	if o.scanning {
		f.scans = scanningFor(t, db, f.prefix, cfg.SessionSecret, f.clock.Now)
		cfg.Scanning = f.scans
		if cfg.ValidateImage == nil {
			cfg.ValidateImage = func([]byte) error { return nil }
		}
	}
	if o.recognition {
		withRecognition(t, f, &cfg)
	}
	if o.configure != nil {
		o.configure(f, &cfg)
	}
	h, err := api.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// reply is one HTTP exchange's outcome.
type reply struct {
	t      *testing.T
	status int
	header http.Header
	body   []byte
	cookie *http.Cookie // tcg_session as set by this response, if any
}

// json decodes the body into v.
func (r reply) json(v any) {
	r.t.Helper()
	require.NoError(r.t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

// detail is the error message of a {"detail": "..."} body.
func (r reply) detail() string {
	var e struct {
		Detail any `json:"detail"`
	}
	_ = json.Unmarshal(r.body, &e)
	if s, ok := e.Detail.(string); ok {
		return s
	}
	b, _ := json.Marshal(e.Detail)
	return string(b)
}

// client is one caller: a browser (cookie jar, Origin set on writes like a
// same-origin page) or an API client (headers).
type client struct {
	f      *acct
	http   *http.Client
	header http.Header
	// noOrigin leaves the Origin header off writes (curl-like).
	noOrigin bool
}

func (f *acct) browser() *client {
	jar, err := cookiejar.New(nil)
	require.NoError(f.t, err)
	return &client{f: f, http: &http.Client{Jar: jar}, header: http.Header{}}
}

// apiClient sends key as Authorization: Bearer.
func (f *acct) apiClient(key string) *client {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+key)
	return &client{f: f, http: &http.Client{}, header: h, noOrigin: true}
}

func (f *acct) anon() *client {
	return &client{f: f, http: &http.Client{}, header: http.Header{}, noOrigin: true}
}

// do sends method path with body as JSON (nil: none) and extra header
// pairs.
func (c *client) do(method, path string, body any, hdr ...string) reply {
	c.f.t.Helper()
	if body == nil {
		return c.send(method, path, "", nil, hdr...)
	}
	b, err := json.Marshal(body)
	require.NoError(c.f.t, err)
	return c.send(method, path, "application/json", b, hdr...)
}

// send is every request of a test client: the client's headers, Origin on
// writes (unless noOrigin), contentType when set, then hdr pairs (an empty
// value removes the header).
func (c *client) send(method, path, contentType string, body []byte, hdr ...string) reply {
	t := c.f.t
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.f.url+path, rd)
	require.NoError(t, err)
	for k, v := range c.header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if method != http.MethodGet && !c.noOrigin {
		req.Header.Set("Origin", c.f.url)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := c.http.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	r := reply{t: t, status: res.StatusCode, header: res.Header, body: out}
	for _, ck := range res.Cookies() {
		if ck.Name == api.SessionCookie {
			r.cookie = ck
		}
	}
	return r
}

// sessionCookie returns the browser's current tcg_session value.
func (c *client) sessionCookie() string {
	req, _ := http.NewRequest(http.MethodGet, c.f.url, nil)
	for _, ck := range c.http.Jar.Cookies(req.URL) {
		if ck.Name == api.SessionCookie {
			return ck.Value
		}
	}
	return ""
}

// withCookie is a fresh client presenting a given tcg_session value.
func (f *acct) withCookie(value string) *client {
	c := f.anon()
	c.header.Set("Cookie", api.SessionCookie+"="+value)
	c.noOrigin = false
	return c
}

var userSeq struct {
	sync.Mutex
	n int
}

// uniqueName returns a fresh username with the given stem.
func uniqueName(stem string) string {
	userSeq.Lock()
	defer userSeq.Unlock()
	userSeq.n++
	return stem + "-" + strings.ToLower(hex.EncodeToString([]byte{byte(userSeq.n)}))
}

const testPassword = "hunter2hunter2"

// register signs a new user up in a fresh browser.
func (f *acct) register(name string) *client {
	f.t.Helper()
	c := f.browser()
	r := c.do(http.MethodPost, "/auth/register", map[string]any{"username": name, "email": name + "@example.com", "password": testPassword})
	require.Equal(f.t, http.StatusCreated, r.status, "%s", r.body)
	return c
}

// admin is a signed-in admin browser.
func (f *acct) admin() *client {
	name := uniqueName("admin")
	c := f.register(name)
	_, err := f.db.SetAdmin(f.t.Context(), name, true)
	require.NoError(f.t, err)
	return c
}

// setTier changes an account's tier through the store.
func (f *acct) setTier(username string, t catalog.Tier) {
	f.t.Helper()
	_, err := f.db.SetTier(f.t.Context(), username, t)
	require.NoError(f.t, err)
}

// newKey creates a key through the API with the browser c; body fields
// beyond name are optional.
func (c *client) newKey(name string, extra ...any) (string, map[string]any) {
	t := c.f.t
	t.Helper()
	body := map[string]any{"name": name}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	r := c.do(http.MethodPost, "/api/keys", body)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var k map[string]any
	r.json(&k)
	return k["key"].(string), k
}
