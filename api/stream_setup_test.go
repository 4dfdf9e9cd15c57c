package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/realtime"
)

// streamHeartbeat is the tests' ping interval (25 s in production).
const streamHeartbeat = 300 * time.Millisecond

// streamFixture is the API with accounts, the limiter and the real-time
// hub over real HTTP; second is another API "process" (its own hub) on the
// same database and Redis.
type streamFixture struct {
	*acct
	second string
	pub    *realtime.Publisher
}

type streamOptions struct {
	maxConns int
}

func setupStream(t *testing.T, opts ...streamOptions) *streamFixture {
	t.Helper()
	var o streamOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	f := setupAccounts(t)
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr()})
	t.Cleanup(func() { _ = rdb.Close() })
	prefix := f.prefix + "rt:"
	serveOne := func() string {
		hub := realtime.NewHub(rdb, realtime.HubOptions{Prefix: prefix, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		h, err := api.New(api.Config{
			Catalog: f.db, Accounts: f.db, Keys: f.db, Limiter: f.lim,
			Log:           slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Now:           f.clock.Now,
			SessionSecret: []byte("test-secret-test-secret-test-secret!"),
			Stream:        hub, StreamConns: realtime.NewConns(rdb, prefix, 3*streamHeartbeat),
			StreamHeartbeat: streamHeartbeat, StreamMaxConns: o.maxConns,
		})
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(func() { _ = hub.Close(); srv.CloseClientConnections(); srv.Close() })
		return srv.URL
	}
	f.url = serveOne() // the acct helpers (register, keys) talk to the first
	return &streamFixture{acct: f, second: serveOne(), pub: realtime.NewPublisher(rdb, prefix)}
}

// proKey registers a user of tier with a key; it returns the key, the
// user's id and the browser holding its cookie.
func (f *streamFixture) user(name string, tier catalog.Tier) (string, int64, *client) {
	b := f.register(name)
	f.setTier(name, tier)
	key, _ := b.newKey("stream")
	var me struct {
		ID int64 `json:"id"`
	}
	r := b.do(http.MethodGet, "/auth/me", nil)
	require.Equal(f.t, http.StatusOK, r.status, "%s", r.body)
	r.json(&me)
	require.NotZero(f.t, me.ID)
	return key, me.ID, b
}

// wsClient is one real WebSocket client.
type wsClient struct {
	t  *testing.T
	ws *websocket.Conn
}

// dial opens base+path (http→ws) with the header pairs; it fails the test
// unless the upgrade succeeds.
func (f *streamFixture) dial(base, path string, hdr ...string) *wsClient {
	f.t.Helper()
	c, res, err := f.tryDial(base, path, hdr...)
	require.NoError(f.t, err, "dial %s: %v", path, res)
	return c
}

func (f *streamFixture) tryDial(base, path string, hdr ...string) (*wsClient, *http.Response, error) {
	h := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+path, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, res, err
	}
	f.t.Cleanup(func() { _ = ws.CloseNow() })
	return &wsClient{t: f.t, ws: ws}, res, nil
}

// frame is a decoded server frame.
type frame map[string]any

func (fr frame) data() map[string]any { d, _ := fr["data"].(map[string]any); return d }

// read returns the next frame, ping frames included.
func (c *wsClient) read(timeout time.Duration) (frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	var f frame
	require.NoError(c.t, json.Unmarshal(b, &f), "%s", b)
	return f, nil
}

// next returns the next frame that is not a heartbeat ping.
func (c *wsClient) next() frame {
	c.t.Helper()
	for {
		f, err := c.read(3 * time.Second)
		require.NoError(c.t, err)
		if f["type"] != "ping" {
			return f
		}
	}
}

// expect reads the next non-ping frame and checks its type (and topic).
func (c *wsClient) expect(typ string, topic ...string) frame {
	c.t.Helper()
	f := c.next()
	require.Equal(c.t, typ, f["type"], "frame %v", f)
	if len(topic) > 0 {
		require.Equal(c.t, topic[0], f["topic"], "frame %v", f)
	}
	return f
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	require.NoError(c.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	require.NoError(c.t, c.ws.Write(ctx, websocket.MessageText, b))
}

// closed reads until the server closes and returns the close code.
func (c *wsClient) closed() (websocket.StatusCode, string) {
	c.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _, err := c.ws.Read(ctx)
		cancel()
		if err != nil {
			var ce websocket.CloseError
			require.ErrorAs(c.t, err, &ce, "want a close frame")
			return ce.Code, ce.Reason
		}
	}
}
