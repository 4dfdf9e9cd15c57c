package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

// streamConnTTL is how long the tests' connection counts live without a
// refresh. Production uses three heartbeats; the tests' heartbeat is so
// short that three of them (900 ms) can pass unrefreshed on a loaded
// machine, and the counted connections would expire under a live socket.
// No api test relies on expiry (a closed socket releases its slot; the
// realtime package tests expiry itself).
const streamConnTTL = 30 * time.Second

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
			Stream:        hub, StreamConns: realtime.NewConns(rdb, prefix, streamConnTTL),
			StreamHeartbeat: streamHeartbeat, StreamMaxConns: o.maxConns,
		})
		require.NoError(t, err)
		srv := httptest.NewServer(validated(t, h))
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

// streamCloseWait bounds closed(): a server that keeps the socket open
// (and keeps sending pings) that long fails the test instead of hanging it.
const streamCloseWait = 10 * time.Second

// streamNextWait bounds next(): the heartbeat pings alone never satisfy it.
const streamNextWait = 5 * time.Second

// wsClient is one real WebSocket client. A client made by dial reads the
// socket all the time on a goroutine of its own (the test takes frames from
// frames), so it answers the server's protocol pings like a browser and
// keeps its connection slot however long the test leaves it unread. A
// client made by dialSilent reads only when the test does: it stops
// answering pings, and the server drops it after two and a half heartbeats.
type wsClient struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan wsResult // nil for a silent client
}

// wsResult is one read: a frame's bytes or the error that ended reading.
type wsResult struct {
	b   []byte
	err error
}

// dial opens base+path (http→ws) with the header pairs; it fails the test
// unless the upgrade succeeds.
func (f *streamFixture) dial(base, path string, hdr ...string) *wsClient {
	f.t.Helper()
	c, res, err := f.tryDial(base, path, hdr...)
	require.NoError(f.t, err, "dial %s: %v", path, res)
	return c
}

// dialSilent is dial without the background reader.
func (f *streamFixture) dialSilent(base, path string, hdr ...string) *wsClient {
	f.t.Helper()
	ws, res, err := f.open(base, path, hdr...)
	require.NoError(f.t, err, "dial %s: %v", path, res)
	return &wsClient{t: f.t, ws: ws}
}

func (f *streamFixture) tryDial(base, path string, hdr ...string) (*wsClient, *http.Response, error) {
	ws, res, err := f.open(base, path, hdr...)
	if err != nil {
		return nil, res, err
	}
	c := &wsClient{t: f.t, ws: ws, frames: make(chan wsResult, 4096)}
	go c.pump()
	return c, res, nil
}

func (f *streamFixture) open(base, path string, hdr ...string) (*websocket.Conn, *http.Response, error) {
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
	return ws, res, nil
}

// pump reads until the socket ends (the test's cleanup closes it). Its
// reads are never cancelled: cancelling one closes the socket. Heartbeat
// pings that find the queue full are dropped rather than block the reader.
func (c *wsClient) pump() {
	for {
		_, b, err := c.ws.Read(context.Background())
		if err != nil {
			c.frames <- wsResult{err: err}
			close(c.frames)
			return
		}
		if bytes.Equal(b, []byte(`{"type":"ping"}`)) {
			select {
			case c.frames <- wsResult{b: b}:
			default:
			}
			continue
		}
		c.frames <- wsResult{b: b}
	}
}

// raw returns the next frame's bytes or the error that ended the socket,
// or context.DeadlineExceeded after timeout.
func (c *wsClient) raw(timeout time.Duration) ([]byte, error) {
	if c.frames == nil {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_, b, err := c.ws.Read(ctx)
		return b, err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r, ok := <-c.frames:
		if !ok {
			return nil, net.ErrClosed
		}
		return r.b, r.err
	case <-t.C:
		return nil, context.DeadlineExceeded
	}
}

// frame is a decoded server frame.
type frame map[string]any

func (fr frame) data() map[string]any { d, _ := fr["data"].(map[string]any); return d }

// read returns the next frame, ping frames included.
func (c *wsClient) read(timeout time.Duration) (frame, error) {
	b, err := c.raw(timeout)
	if err != nil {
		return nil, err
	}
	var f frame
	require.NoError(c.t, json.Unmarshal(b, &f), "%s", b)
	return f, nil
}

// next returns the next frame that is not a heartbeat ping, within
// streamNextWait.
func (c *wsClient) next() frame {
	c.t.Helper()
	deadline := time.Now().Add(streamNextWait)
	for {
		left := time.Until(deadline)
		require.Positive(c.t, left, "no frame but pings for %s", streamNextWait)
		f, err := c.read(left)
		require.NoError(c.t, err, "waiting %s for a frame", streamNextWait)
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

// closed reads until the server closes and returns the close code. It
// fails the test when the server keeps the socket open for
// streamCloseWait, naming the frames it sent meanwhile.
func (c *wsClient) closed() (websocket.StatusCode, string) {
	c.t.Helper()
	deadline := time.Now().Add(streamCloseWait)
	var seen []string
	for {
		left := time.Until(deadline)
		if left <= 0 {
			require.FailNow(c.t, "the server kept the socket open", "no close frame within %s; frames meanwhile: %s",
				streamCloseWait, summarizeFrames(seen))
		}
		b, err := c.raw(left)
		if errors.Is(err, context.DeadlineExceeded) {
			continue
		}
		if err != nil {
			var ce websocket.CloseError
			require.ErrorAs(c.t, err, &ce, "want a close frame")
			return ce.Code, ce.Reason
		}
		var f frame
		_ = json.Unmarshal(b, &f)
		seen = append(seen, fmt.Sprint(f["type"]))
	}
}

// summarizeFrames is "welcome, ping ×12" for a list of frame types.
func summarizeFrames(types []string) string {
	var out []string
	for i := 0; i < len(types); {
		j := i
		for j < len(types) && types[j] == types[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, fmt.Sprintf("%s ×%d", types[i], j-i))
		} else {
			out = append(out, types[i])
		}
		i = j
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// keepAlive makes a silent client look alive to the server (a pong message
// every half heartbeat) until the returned stop is called; the
// client still reads nothing.
func (c *wsClient) keepAlive() (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(streamHeartbeat / 2)
		defer tick.Stop()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = c.ws.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
			cancel()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); <-stopped }) }
}
