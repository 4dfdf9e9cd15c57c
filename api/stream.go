package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// streamRoutes serves the real-time API (the seed's "Real-time / WebSocket
// API"): /api/v1/stream for developers (API key required, Pro or higher)
// and /ws/v1 for the web app (cookie, key or anonymous; anonymous callers
// get the public topics only).
func (s *Server) streamRoutes(r gin.IRouter) {
	beats := newStreamBeats(s)
	r.GET("/api/v1/stream", s.stream(true, beats))
	r.GET("/ws/v1", s.stream(false, beats))
}

// streamSendBuffer frames may wait for a slow client; one more and the
// client is dropped (the hub never blocks).
const streamSendBuffer = 256

// streamWriteTimeout bounds one frame's write: a socket that takes longer
// is closed (by the heartbeat goroutine, streamBeats).
const streamWriteTimeout = 10 * time.Second

func (s *Server) heartbeat() time.Duration {
	if s.cfg.StreamHeartbeat > 0 {
		return s.cfg.StreamHeartbeat
	}
	return catalog.StreamHeartbeat
}

func (s *Server) maxStreamConns() int {
	if s.cfg.StreamMaxConns > 0 {
		return s.cfg.StreamMaxConns
	}
	return catalog.StreamMaxConns
}

// wsOrigins are the origins allowed to open a WebSocket besides the
// server's own: the CORS allow-list. Others are refused (403) before the
// upgrade, so a foreign page cannot ride a visitor's cookie.
func (s *Server) wsOrigins() []string {
	var out []string
	for o := range s.origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, u.Scheme+"://"+u.Host)
		}
	}
	return out
}

// stream upgrades the request and serves one connection until it ends.
func (s *Server) stream(developer bool, beats *streamBeats) gin.HandlerFunc {
	origins := s.wsOrigins()
	return func(c *gin.Context) {
		conn := &streamConn{
			s: s, developer: developer, p: principalOf(c), ip: c.ClientIP(),
			id: newConnID(), send: make(chan []byte, streamSendBuffer), beats: beats,
			topics: map[string]struct{}{},
		}
		conn.lastSeen.Store(time.Now().UnixNano())
		hj := &rawHijacker{ResponseWriter: c.Writer}
		ws, err := websocket.Accept(hj, c.Request, &websocket.AcceptOptions{
			OriginPatterns: origins,
			OnPongReceived: func(context.Context, []byte) { conn.seen() },
		})
		if err != nil {
			s.cfg.Log.DebugContext(c.Request.Context(), "websocket upgrade refused", "err", err)
			return
		}
		ws.SetReadLimit(maxClientMsg)
		conn.ws, conn.raw = ws, hj.conn
		conn.serve(c.Request.Context())
	}
}

func newConnID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// streamConn is one WebSocket connection: the reader runs on the request's
// goroutine, the writer on its own; every outgoing frame goes through send.
type streamConn struct {
	s         *Server
	ws        *websocket.Conn
	developer bool
	id, ip    string
	p         catalog.Principal
	// lateAuth is set when the key came in an auth message (user:<id>
	// then stays closed, as documented).
	lateAuth bool
	bucket   string // the connection counter's bucket; "" = not counted
	// raw is the socket under ws: data frames are written to it directly
	// (stream_raw.go); nil falls back to ws.Write.
	raw net.Conn
	// wmu orders data frames before the close frame: close sets stopped
	// under it.
	wmu     sync.Mutex
	stopped bool
	// send queues encoded frames for the writer; a nil frame stops it.
	send     chan []byte
	lastSeen atomic.Int64
	// writing is when the write in flight began (Unix ns), 0 when none.
	writing atomic.Int64
	beats   *streamBeats
	// nextBeat is the connection's next heartbeat (streamBeats only).
	nextBeat time.Time

	// cancel stops the writer; closing waits for the close handshake.
	cancel    context.CancelFunc
	closeOnce sync.Once
	closing   sync.WaitGroup
	// releaseOnce frees the connection slot once.
	releaseOnce sync.Once
	topics      map[string]struct{} // reader goroutine only
	window      [catalog.StreamMaxMessages]time.Time
	nmsg        int
}

func (c *streamConn) seen() { c.lastSeen.Store(time.Now().UnixNano()) }

// Deliver queues a frame without blocking (catalog.StreamSink).
func (c *streamConn) Deliver(frame []byte) bool {
	return c.deliverWire(c.beats.frames.encode(frame))
}

// deliverWire queues encoded frames without blocking.
func (c *streamConn) deliverWire(f []byte) bool {
	select {
	case c.send <- f:
		return true
	default:
		return false
	}
}

// Drop closes the connection on the hub's behalf (catalog.StreamSink).
func (c *streamConn) Drop(reason string) {
	code := websocket.StatusPolicyViolation
	if reason == "server shutting down" {
		code = websocket.StatusGoingAway
	}
	c.close(code, reason)
}

// close ends the connection once with code and reason: the writer stops,
// the close handshake runs (the reader then sees the close and returns).
func (c *streamConn) close(code websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() {
		if c.cancel != nil {
			c.cancel()
		}
		select { // stop the writer (if its queue is full, its next write fails)
		case c.send <- nil:
		default:
		}
		c.closing.Add(1)
		go func() {
			defer c.closing.Done()
			// the slot is free at once, not after a dead peer's handshake
			c.release()
			c.wmu.Lock() // a data frame in flight goes before the close frame
			c.stopped = true
			c.wmu.Unlock()
			_ = c.ws.Close(code, reason)
		}()
	})
}

func (c *streamConn) log() *slog.Logger {
	return c.s.cfg.Log.With("conn_id", c.id, "endpoint", c.endpoint())
}

func (c *streamConn) endpoint() string {
	if c.developer {
		return "/api/v1/stream"
	}
	return "/ws/v1"
}

// serve authenticates (a late auth message on /api/v1/stream), applies the
// tier and connection limits, then runs the read loop.
func (c *streamConn) serve(reqCtx context.Context) {
	// the reader's context is never cancelled: cancelling a Read makes the
	// library drop the socket without a close frame.
	ctx := context.WithoutCancel(reqCtx)
	wctx, cancel := context.WithCancel(ctx)
	c.cancel = cancel
	defer func() {
		cancel()
		c.closing.Wait()
		_ = c.ws.CloseNow()
	}()
	hub := c.s.cfg.Stream

	if c.developer && c.p.Method != catalog.AuthAPIKey {
		msg, ok := c.readFirst(ctx)
		if !ok {
			return
		}
		m, err := parseClientMsg(msg)
		if err != nil || m.Type != msgAuth {
			c.closeNow(catalog.CloseAPIKeyRequired, "api_key required")
			return
		}
		p, err := c.s.streamKeyPrincipal(ctx, m.Token)
		if err != nil {
			c.closeNow(catalog.CloseAPIKeyRequired, "api_key required: "+catalog.ErrorMessage(err))
			return
		}
		c.p, c.lateAuth = p, true
	}
	if c.developer && !c.p.Tier.AtLeast(catalog.TierPro) {
		c.closeNow(catalog.CloseTierTooLow, "tier too low: Pro or higher required")
		return
	}
	if !c.acquire(ctx) {
		c.closeNow(catalog.CloseTryAgainLater, "too many connections")
		return
	}
	defer c.release()
	defer hub.UnsubscribeAll(c)

	c.Deliver(c.welcome())
	c.beats.add(c)
	defer c.beats.remove(c)
	go c.writer(wctx)
	for {
		typ, msg, err := c.ws.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) == -1 && !errors.Is(err, net.ErrClosed) {
				c.log().Debug("stream read ended", "err", err)
			}
			c.close(websocket.StatusNormalClosure, "")
			return
		}
		c.seen()
		if typ != websocket.MessageText {
			c.reply(errorFrame{Type: catalog.FrameError, Error: "Frames must be JSON text"})
			continue
		}
		if !c.allowMessage(time.Now()) {
			c.reply(errorFrame{Type: catalog.FrameError, Error: "Rate limit exceeded: at most 30 messages per 10 seconds"})
			continue
		}
		c.handle(ctx, msg)
	}
}

// readFirst waits up to the heartbeat interval (10 s at most) for the
// first message of an unauthenticated /api/v1/stream connection.
func (c *streamConn) readFirst(ctx context.Context) ([]byte, bool) {
	type result struct {
		msg []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		_, msg, err := c.ws.Read(ctx)
		ch <- result{msg, err}
	}()
	t := time.NewTimer(min(c.s.heartbeat(), 10*time.Second))
	defer t.Stop()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, false
		}
		return r.msg, true
	case <-t.C:
		c.closeNow(catalog.CloseAPIKeyRequired, "api_key required")
		return nil, false
	}
}

// closeNow closes with code before the writer runs.
func (c *streamConn) closeNow(code websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() { _ = c.ws.Close(code, reason) })
}

// acquire counts the connection against its key (or user, or IP).
func (c *streamConn) acquire(ctx context.Context) bool {
	lim := c.s.cfg.StreamConns
	if lim == nil {
		return true
	}
	switch c.p.Method {
	case catalog.AuthAPIKey:
		c.bucket = "key:" + strconv.FormatInt(c.p.Key.ID, 10)
	case catalog.AuthSession:
		c.bucket = "user:" + strconv.FormatInt(c.p.User.ID, 10)
	default:
		c.bucket = "ip:" + c.ip
	}
	ok, err := lim.Acquire(ctx, c.bucket, c.id, c.s.maxStreamConns())
	if err != nil {
		c.log().Warn("stream connection limiter unavailable, connection let through", "err", err)
		c.bucket = ""
		return true
	}
	if !ok {
		c.bucket = ""
	}
	return ok
}

func (c *streamConn) release() {
	c.releaseOnce.Do(c.doRelease)
}

func (c *streamConn) doRelease() {
	if c.bucket == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.s.cfg.StreamConns.Release(ctx, c.bucket, c.id); err != nil {
		c.log().Warn("stream connection not released (it expires)", "err", err)
	}
}

// allowMessage is the per-connection sliding window: 30 messages in any
// 10 seconds.
func (c *streamConn) allowMessage(now time.Time) bool {
	i := c.nmsg % len(c.window)
	if c.nmsg >= len(c.window) && now.Sub(c.window[i]) < catalog.StreamMessageWindow {
		return false
	}
	c.window[i] = now
	c.nmsg++
	return true
}

func (c *streamConn) welcome() []byte {
	w := welcomeFrame{
		Type: catalog.FrameWelcome, ConnID: c.id, Authenticated: c.p.Authenticated(),
		HeartbeatSecs: c.s.heartbeat().Seconds(), PublicTopics: catalog.PublicTopicPrefixes,
	}
	if c.p.Authenticated() {
		id, tier := c.p.User.ID, string(c.p.Tier)
		w.UserID, w.Tier = &id, &tier
	}
	return mustJSON(w)
}

// reply queues a control frame; a client too slow to take it is dropped.
func (c *streamConn) reply(v any) {
	if !c.Deliver(mustJSON(v)) {
		c.Drop("slow consumer")
	}
}

// handle acts on one client message.
func (c *streamConn) handle(ctx context.Context, raw []byte) {
	m, err := parseClientMsg(raw)
	if err != nil {
		c.reply(errorFrame{Type: catalog.FrameError, Error: catalog.ErrorMessage(err)})
		return
	}
	switch m.Type {
	case msgPing:
		if !c.deliverWire(pongWire) {
			c.Drop("slow consumer")
		}
	case msgPong:
	case msgAuth:
		c.auth(ctx, m.Token)
	case msgSubscribe:
		for _, t := range m.Topics {
			c.subscribe(ctx, t)
		}
	case msgUnsubscribe:
		for _, t := range m.Topics {
			if _, ok := c.topics[t]; ok {
				c.s.cfg.Stream.Unsubscribe(c, t)
				delete(c.topics, t)
			}
			c.reply(ackFrame{Type: catalog.FrameUnsubscribed, Topic: t})
		}
	}
}

// auth is the optional late authentication of /ws/v1 (an API key); the
// reply is a fresh welcome frame.
func (c *streamConn) auth(ctx context.Context, token string) {
	if c.p.Authenticated() {
		c.reply(errorFrame{Type: catalog.FrameError, Error: "Already authenticated"})
		return
	}
	p, err := c.s.streamKeyPrincipal(ctx, token)
	if err != nil {
		c.reply(errorFrame{Type: catalog.FrameError, Error: catalog.ErrorMessage(err)})
		return
	}
	c.p, c.lateAuth = p, true
	c.Deliver(c.welcome())
}

// streamKeyPrincipal resolves a key sent in an auth message.
func (s *Server) streamKeyPrincipal(ctx context.Context, token string) (catalog.Principal, error) {
	if s.cfg.Keys == nil {
		return catalog.Principal{}, catalog.Errorf(catalog.EUNAUTHORIZED, "Invalid API key")
	}
	return s.keyPrincipal(ctx, token)
}

// subscribe checks topic's access and the 50-topic limit, then joins it.
func (c *streamConn) subscribe(ctx context.Context, name string) {
	fail := func(err error) {
		c.reply(errorFrame{Type: catalog.FrameError, Error: catalog.ErrorMessage(err), Topic: name})
	}
	if _, ok := c.topics[name]; ok {
		c.reply(ackFrame{Type: catalog.FrameSubscribed, Topic: name})
		return
	}
	t, err := catalog.ParseTopic(name)
	if err != nil {
		fail(err)
		return
	}
	if err := c.authorizeTopic(ctx, t); err != nil {
		fail(err)
		return
	}
	if len(c.topics) >= catalog.StreamMaxTopics {
		fail(catalog.Errorf(catalog.ERATELIMIT, "Too many subscriptions: at most %d topics per connection", catalog.StreamMaxTopics))
		return
	}
	if err := c.s.cfg.Stream.Subscribe(ctx, c, name); err != nil {
		c.log().Warn("stream subscribe failed", "topic", name, "err", err)
		fail(err)
		return
	}
	c.topics[name] = struct{}{}
	c.reply(ackFrame{Type: catalog.FrameSubscribed, Topic: name})
}

// authorizeTopic: public topics are anyone's; user:<id> is its owner's
// (cookie or a key given at connect time); scan:<session> needs a signed-in
// caller, its owner when the session store is wired.
func (c *streamConn) authorizeTopic(ctx context.Context, t catalog.Topic) error {
	switch t.Kind {
	case catalog.TopicUser:
		if !c.p.Authenticated() {
			return catalog.Errorf(catalog.EUNAUTHORIZED, "Authentication required")
		}
		if c.lateAuth {
			return catalog.Errorf(catalog.EFORBIDDEN, "Pass the API key in the query string at connect time to subscribe to user topics")
		}
		return c.p.Owns(t.UserID)
	case catalog.TopicScan:
		if !c.p.Authenticated() {
			return catalog.Errorf(catalog.EUNAUTHORIZED, "Authentication required")
		}
		if c.s.cfg.Scanning == nil {
			return nil
		}
		owner, err := c.s.cfg.Scanning.SessionOwner(ctx, t.Session)
		if err != nil {
			return err
		}
		return c.p.Owns(owner)
	}
	return nil
}

// writer sends queued frames until a nil frame or a failed write. It is
// the whole per-frame cost of a connection, kept to one channel receive and
// one write of the frame encoded once per event (stream_raw.go): no
// select, no timer (a context.WithTimeout per frame was about
// a sixth of the server's CPU when an event fans out to thousands of
// connections, make bench-realtime), no clock but one reading. Frames
// already queued behind the first go out in the same write (at most
// streamBatch bytes). The heartbeat, the silence check, the connection
// slot's refresh and the write timeout are streamBeats' job, for every
// connection at once. Frames are written with a context that is never
// done: closing the connection lets a write in flight finish (the close
// handshake waits for it, 5 s at most) instead of cutting the socket under
// it.
func (c *streamConn) writer(ctx context.Context) {
	wctx := context.WithoutCancel(ctx)
	var batch []byte
	for f := range c.send {
		if f == nil {
			return
		}
		stop := false
		if c.raw != nil && len(c.send) > 0 {
			f, stop = c.coalesce(append(batch[:0], f...))
			batch = f
		}
		c.wmu.Lock()
		if c.stopped {
			c.wmu.Unlock()
			return
		}
		c.writing.Store(time.Now().UnixNano())
		var err error
		if c.raw != nil {
			_, err = c.raw.Write(f)
		} else {
			err = c.ws.Write(wctx, websocket.MessageText, framePayload(f))
		}
		c.writing.Store(0)
		c.wmu.Unlock()
		if err != nil {
			c.close(websocket.StatusGoingAway, "write failed")
			return
		}
		if stop {
			return
		}
	}
}

// streamBatch bounds the bytes of queued frames one write takes.
const streamBatch = 64 << 10

// coalesce appends the frames queued now to batch, up to streamBatch
// bytes; stop is true when it took the nil frame that stops the writer.
func (c *streamConn) coalesce(batch []byte) (_ []byte, stop bool) {
	for len(batch) < streamBatch {
		select {
		case f := <-c.send:
			if f == nil {
				return batch, true
			}
			batch = append(batch, f...)
		default:
			return batch, false
		}
	}
	return batch, false
}
