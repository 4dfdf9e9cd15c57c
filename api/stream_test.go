package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
)

// TestStreamSeedExamples follows the seed's JavaScript and Python clients
// on /api/v1/stream: a Pro key in the query string, subscribe with
// "topics" (JS, websocket-client) and "topic" (websockets), answer ping
// with pong, print price_update and movers; on a second API process too.
func TestStreamSeedExamples(t *testing.T) {
	t.Parallel()
	f := setupStream(t)
	key, uid, _ := f.user(uniqueName("pro"), catalog.TierPro)

	js := f.dial(f.url, "/api/v1/stream?api_key="+key)
	w := js.expect("welcome")
	require.Equal(t, true, w["authenticated"])
	require.Equal(t, float64(uid), w["user_id"])
	require.Equal(t, "pro", w["tier"])
	require.Equal(t, streamHeartbeat.Seconds(), w["heartbeat_secs"])
	require.Equal(t, []any{"card:", "set:", "tcg:", "market:", "marketplace:"}, w["public_topics"])
	require.Len(t, w["conn_id"], 24)
	js.send(map[string]any{"type": "subscribe", "topics": []string{"card:267", "market:movers"}})
	js.expect("subscribed", "card:267")
	js.expect("subscribed", "market:movers")

	// the asyncio example, on the other process, with the key as a header
	py := f.dial(f.second, "/api/v1/stream", "Authorization", "Bearer "+key)
	require.NotEqual(t, w["conn_id"], py.expect("welcome")["conn_id"], "conn_id changes per connection")
	py.send(map[string]any{"type": "subscribe", "topic": "card:267"})
	py.expect("subscribed", "card:267")

	ctx := context.Background()
	ts := time.Unix(1715520000, 0)
	require.NoError(t, f.pub.Publish(ctx, catalog.PriceEvents(catalog.PriceUpdate{CardID: 267, SetID: 42, TCG: "pokemon",
		Source: "tcgplayer", Variant: "normal", MarketPrice: 12.34, Currency: "USD"}, ts)...))
	require.NoError(t, f.pub.Publish(ctx, catalog.Event{Type: catalog.FrameMovers, Topic: catalog.TopicMarketMovers,
		Data: map[string]any{"tcg": "all", "period": "7d", "items": []any{map[string]any{"card_id": 267}}}}))
	for _, c := range []*wsClient{js, py} {
		p := c.expect("price_update", "card:267")
		require.Equal(t, 1715520000.0, p["ts"])
		require.Equal(t, map[string]any{"card_id": 267.0, "set_id": 42.0, "tcg": "pokemon", "source": "tcgplayer",
			"variant": "normal", "market_price": 12.34, "currency": "USD"}, p.data())
	}
	m := js.expect("movers", "market:movers")
	require.Len(t, m.data()["items"], 1)

	// heartbeat: the server pings; the client answers pong; ping → pong
	for {
		fr, err := js.read(3 * time.Second)
		require.NoError(t, err)
		if fr["type"] == "ping" {
			break
		}
	}
	js.send(map[string]any{"type": "pong"})
	js.send(map[string]any{"type": "ping"})
	js.expect("pong")

	// unsubscribe: no more frames of the topic
	js.send(map[string]any{"type": "unsubscribe", "topic": "card:267"})
	js.expect("unsubscribed", "card:267")
	require.NoError(t, f.pub.Publish(ctx, catalog.Event{Type: catalog.FrameListingNew, Topic: "card:267",
		Data: map[string]any{"listing_id": 901, "card_id": 267, "price": 11.0, "currency": "EUR"}}))
	require.Equal(t, 901.0, py.expect("listing_new", "card:267").data()["listing_id"])
	js.send(map[string]any{"type": "ping"})
	js.expect("pong") // not the listing
}

// TestStreamCloseCodes: 4401 without a key, 4403 below Pro, late auth with
// an auth message, and HTTP 401 for a bad key at the handshake.
func TestStreamCloseCodes(t *testing.T) {
	t.Parallel()
	f := setupStream(t)
	pro, _, browser := f.user(uniqueName("pro"), catalog.TierPro)
	free, _, _ := f.user(uniqueName("free"), catalog.TierFree)
	starter, _, _ := f.user(uniqueName("starter"), catalog.TierStarter)
	unlimited, _, _ := f.user(uniqueName("unl"), catalog.TierUnlimited)

	// no key: the first message must be auth
	c := f.dial(f.url, "/api/v1/stream")
	c.send(map[string]any{"type": "subscribe", "topic": "card:1"})
	code, reason := c.closed()
	require.Equal(t, websocket.StatusCode(catalog.CloseAPIKeyRequired), code)
	require.Equal(t, "api_key required", reason)
	// …nor silence
	c = f.dial(f.url, "/api/v1/stream")
	code, _ = c.closed()
	require.Equal(t, websocket.StatusCode(4401), code)
	// a cookie is not a key
	c = f.dial(f.url, "/api/v1/stream", "Cookie", api.SessionCookie+"="+browser.sessionCookie())
	code, _ = c.closed()
	require.Equal(t, websocket.StatusCode(4401), code)
	// a bad late key
	c = f.dial(f.url, "/api/v1/stream")
	c.send(map[string]any{"type": "auth", "token": "csm_live_nope"})
	code, _ = c.closed()
	require.Equal(t, websocket.StatusCode(4401), code)

	// below Pro: 4403, whether the key came in the query or late
	for _, k := range []string{free, starter} {
		c = f.dial(f.url, "/api/v1/stream?api_key="+k)
		code, reason = c.closed()
		require.Equal(t, websocket.StatusCode(catalog.CloseTierTooLow), code)
		require.Contains(t, reason, "tier too low")
		c = f.dial(f.second, "/api/v1/stream")
		c.send(map[string]any{"type": "auth", "token": k})
		code, _ = c.closed()
		require.Equal(t, websocket.StatusCode(4403), code)
	}

	// late auth: the welcome follows the auth message; higher tiers pass
	c = f.dial(f.url, "/api/v1/stream")
	c.send(map[string]any{"type": "auth", "token": pro})
	require.Equal(t, "pro", c.expect("welcome")["tier"])
	c.send(map[string]any{"type": "subscribe", "topic": "card:267"})
	c.expect("subscribed", "card:267")
	c = f.dial(f.url, "/api/v1/stream?api_key="+unlimited)
	require.Equal(t, "unlimited", c.expect("welcome")["tier"])

	// a bad key in the query is refused at the handshake, like every route
	_, res, err := f.tryDial(f.url, "/api/v1/stream?api_key=csm_live_bad")
	require.Error(t, err)
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
}

// TestStreamLimits: 50 topics per connection, 30 messages per 10 s (an
// error frame, the socket stays open), 20 connections per key and per
// anonymous IP across both API processes (1013).
func TestStreamLimits(t *testing.T) {
	t.Parallel()
	f := setupStream(t)
	key, _, _ := f.user(uniqueName("pro"), catalog.TierPro)

	c := f.dial(f.url, "/api/v1/stream?api_key="+key)
	c.expect("welcome")
	topics := make([]string, 51)
	for i := range topics {
		topics[i] = fmt.Sprintf("card:%d", i+1)
	}
	c.send(map[string]any{"type": "subscribe", "topics": topics})
	for i := range 50 {
		c.expect("subscribed", topics[i])
	}
	e := c.expect("error", "card:51")
	require.Contains(t, e["error"], "at most 50 topics")
	// unsubscribing frees a slot
	c.send(map[string]any{"type": "unsubscribe", "topic": "card:1"})
	c.expect("unsubscribed", "card:1")
	c.send(map[string]any{"type": "subscribe", "topic": "card:51"})
	c.expect("subscribed", "card:51")

	// 30 messages per 10 s: 3 sent already, 27 more pass, the 31st is refused
	for range 28 {
		c.send(map[string]any{"type": "ping"})
	}
	for range 27 {
		c.expect("pong")
	}
	require.Contains(t, c.expect("error")["error"], "Rate limit exceeded")
	// the connection stays open: the heartbeat still arrives
	fr, err := c.read(3 * time.Second)
	require.NoError(t, err)
	require.Equal(t, "ping", fr["type"])

	// 20 connections per key, counted across both processes
	conns := []*wsClient{c}
	for i := range 19 {
		base := f.url
		if i%2 == 0 {
			base = f.second
		}
		k := f.dial(base, "/api/v1/stream?api_key="+key)
		k.expect("welcome")
		conns = append(conns, k)
	}
	over := f.dial(f.second, "/api/v1/stream?api_key="+key)
	code, reason := over.closed()
	require.Equal(t, websocket.StatusCode(catalog.CloseTryAgainLater), code)
	require.Equal(t, "too many connections", reason)
	// closing one frees its slot (on the other process)
	require.NoError(t, conns[3].ws.Close(websocket.StatusNormalClosure, ""))
	require.Eventually(t, func() bool {
		k, _, err := f.tryDial(f.url, "/api/v1/stream?api_key="+key)
		if err != nil {
			return false
		}
		fr, err := k.read(3 * time.Second)
		return err == nil && fr["type"] == "welcome"
	}, 3*time.Second, 50*time.Millisecond)

	// anonymous callers: 20 per IP on /ws/v1
	for i := range 20 {
		base := f.url
		if i%2 == 0 {
			base = f.second
		}
		f.dial(base, "/ws/v1").expect("welcome")
	}
	code, _ = f.dial(f.url, "/ws/v1").closed()
	require.Equal(t, websocket.StatusCode(1013), code)
}

// TestStreamWebChannel: /ws/v1 for anonymous callers (public topics only),
// cookies (their own user:<id>), keys (query or late auth), bad input and
// cross-site upgrades.
func TestStreamWebChannel(t *testing.T) {
	t.Parallel()
	f := setupStream(t)
	key, uid, browser := f.user(uniqueName("web"), catalog.TierFree)
	_, other, _ := f.user(uniqueName("other"), catalog.TierFree)
	ctx := context.Background()
	me, them := catalog.UserTopic(uid), catalog.UserTopic(other)

	anon := f.dial(f.url, "/ws/v1")
	w := anon.expect("welcome")
	require.Equal(t, false, w["authenticated"])
	require.Nil(t, w["user_id"])
	require.Nil(t, w["tier"])
	anon.send(map[string]any{"type": "subscribe", "topics": []string{"tcg:pokemon", "set:42", "marketplace:new", me, "scan:01HW6Q8", "bogus:1", "card:abc"}})
	anon.expect("subscribed", "tcg:pokemon")
	anon.expect("subscribed", "set:42")
	anon.expect("subscribed", "marketplace:new")
	require.Equal(t, "Authentication required", anon.expect("error", me)["error"])
	require.Equal(t, "Authentication required", anon.expect("error", "scan:01HW6Q8")["error"])
	require.Equal(t, "Unknown topic", anon.expect("error", "bogus:1")["error"])
	require.Equal(t, "Unknown topic", anon.expect("error", "card:abc")["error"])
	// bad messages: an error frame, the socket stays open
	require.NoError(t, anon.ws.Write(ctx, websocket.MessageText, []byte("{not json")))
	require.Equal(t, "Invalid JSON message", anon.expect("error")["error"])
	anon.send(map[string]any{"type": "dance"})
	require.Equal(t, "Unknown message type", anon.expect("error")["error"])
	require.NoError(t, f.pub.Publish(ctx, catalog.Event{Type: catalog.FrameListingNew, Topic: catalog.TopicMarketplaceNew,
		Data: map[string]any{"listing_id": 7}}))
	anon.expect("listing_new", "marketplace:new")

	// the web app's cookie: its own user topic only
	web := f.dial(f.second, "/ws/v1", "Cookie", api.SessionCookie+"="+browser.sessionCookie())
	require.Equal(t, float64(uid), web.expect("welcome")["user_id"])
	web.send(map[string]any{"type": "subscribe", "topics": []string{me, them, "scan:01HW6Q8"}})
	web.expect("subscribed", me)
	require.Equal(t, "Not the owner of this resource", web.expect("error", them)["error"])
	web.expect("subscribed", "scan:01HW6Q8")
	require.NoError(t, f.pub.Publish(ctx,
		catalog.Event{Type: catalog.FrameNotification, Topic: me, Data: map[string]any{"kind": "price_alert", "title": "t", "body": "b", "url": "/u"}},
		catalog.Event{Type: catalog.FramePricesRefreshed, Topic: me, Data: map[string]any{"snapshots": 12345, "kind": "daily_snapshot"}},
		catalog.Event{Type: catalog.FrameScanResult, Topic: "scan:01HW6Q8", Data: map[string]any{"event": "result"}}))
	require.Equal(t, "price_alert", web.expect("notification", me).data()["kind"])
	web.expect("prices_refreshed", me)
	web.expect("scan_result", "scan:01HW6Q8")

	// a key in the query may hold its user topic; a late key may not
	k := f.dial(f.url, "/ws/v1?api_key="+key)
	k.expect("welcome")
	k.send(map[string]any{"type": "subscribe", "topic": me})
	k.expect("subscribed", me)
	late := f.dial(f.url, "/ws/v1")
	late.expect("welcome")
	late.send(map[string]any{"type": "auth", "token": key})
	w = late.expect("welcome")
	require.Equal(t, true, w["authenticated"])
	require.Equal(t, "free", w["tier"])
	late.send(map[string]any{"type": "subscribe", "topic": me})
	require.Contains(t, late.expect("error", me)["error"], "query string")
	late.send(map[string]any{"type": "auth", "token": key})
	require.Equal(t, "Already authenticated", late.expect("error")["error"])

	// another site's page cannot open the socket with the visitor's cookie
	_, res, err := f.tryDial(f.url, "/ws/v1", "Origin", "https://evil.example", "Cookie", api.SessionCookie+"="+browser.sessionCookie())
	require.Error(t, err)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	ok := f.dial(f.url, "/ws/v1", "Origin", "https://collectorstashmarket.com")
	ok.expect("welcome")
}

// TestStreamDropsDeadSockets: a client that stops reading answers no
// pings and is dropped after about two and a half heartbeats; its
// connection slot is released.
//
// The dead client holds the key's only slot while the second connection is
// refused: it sends a message every half heartbeat until then, so the
// refusal does not depend on how fast the machine is. (It used to be idle
// from the start: on a loaded machine the second handshake took longer than
// the 750 ms after which the server rightly drops a silent client, the
// second connection got the freed slot, and closed() read its pings
// forever.)
func TestStreamDropsDeadSockets(t *testing.T) {
	t.Parallel()
	f := setupStream(t, streamOptions{maxConns: 1})
	key, _, _ := f.user(uniqueName("dead"), catalog.TierPro)
	dead := f.dialSilent(f.url, "/api/v1/stream?api_key="+key) // reads nothing: no pongs
	stop := dead.keepAlive()
	require.Equal(t, "welcome", dead.next()["type"]) // the slot is taken
	code, _ := f.dial(f.second, "/api/v1/stream?api_key="+key).closed()
	require.Equal(t, websocket.StatusCode(1013), code, "server logs:\n%s", f.logs)
	stop()
	// silent from now on: dropped after ~2.5 heartbeats, the slot is free
	var live *wsClient
	require.Eventually(t, func() bool {
		c, _, err := f.tryDial(f.second, "/api/v1/stream?api_key="+key)
		if err != nil {
			return false
		}
		fr, err := c.read(3 * time.Second)
		if err == nil && fr["type"] == "welcome" {
			live = c
			return true
		}
		return false
	}, 10*time.Second, 2*streamHeartbeat/5, "the dead client's slot was never released; server logs:\n%s", f.logs)
	// a reading client stays connected across heartbeats, without pongs
	pings := 0
	for end := time.Now().Add(4 * streamHeartbeat); time.Now().Before(end); {
		fr, err := live.read(time.Second)
		require.NoError(t, err)
		if fr["type"] == "ping" {
			pings++
		}
	}
	require.GreaterOrEqual(t, pings, 3)
	live.send(map[string]any{"type": "ping"})
	live.expect("pong")
	code, reason := dead.closed()
	require.Equal(t, websocket.StatusPolicyViolation, code)
	require.Equal(t, "heartbeat timeout", reason)
}

func TestStreamHelperScript(t *testing.T) {
	t.Parallel()
	f := setupStream(t)
	res, err := http.Get(f.url + "/static/js/csm-realtime.js")
	require.NoError(t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/javascript; charset=utf-8", res.Header.Get("Content-Type"))
	for _, s := range []string{"CSMRealtime", "connect", "subscribe", `type: "pong"`, "Math.random", "4401", "4403"} {
		require.Contains(t, string(body), s)
	}
	res, err = http.Get(f.url + "/static/js/missing.js")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)
}
