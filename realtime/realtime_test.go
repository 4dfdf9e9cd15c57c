package realtime_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/realtime"
)

func redisAddr() string {
	if a := os.Getenv("CSM_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:56379"
}

type fixture struct {
	rdb    *redis.Client
	prefix string
}

// setup connects to the test Redis with a prefix of its own.
func setup(t *testing.T) fixture {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr()})
	require.NoError(t, rdb.Ping(t.Context()).Err(), "redis must be running (make services)")
	t.Cleanup(func() { _ = rdb.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fixture{rdb: rdb, prefix: "test:rt:" + hex.EncodeToString(b) + ":"}
}

// sink records frames; cap bounds its buffer like a connection's.
type sink struct {
	ch      chan []byte
	mu      sync.Mutex
	dropped string
}

func newSink(n int) *sink { return &sink{ch: make(chan []byte, n)} }

func (s *sink) Deliver(f []byte) bool {
	select {
	case s.ch <- f:
		return true
	default:
		return false
	}
}

func (s *sink) Drop(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropped = reason
}

func (s *sink) reason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

func (s *sink) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case f := <-s.ch:
		var m map[string]any
		require.NoError(t, json.Unmarshal(f, &m))
		return m
	case <-time.After(3 * time.Second):
		t.Fatal("no frame")
		return nil
	}
}

func TestHubFanOutAcrossHubs(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	a := realtime.NewHub(f.rdb, realtime.HubOptions{Prefix: f.prefix})
	b := realtime.NewHub(f.rdb, realtime.HubOptions{Prefix: f.prefix})
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	s1, s2, other := newSink(8), newSink(8), newSink(8)
	require.NoError(t, a.Subscribe(ctx, s1, "card:267"))
	require.NoError(t, b.Subscribe(ctx, s2, "card:267"))
	require.NoError(t, b.Subscribe(ctx, other, "card:1"))
	time.Sleep(50 * time.Millisecond) // the SUBSCRIBEs reach Redis

	pub := realtime.NewPublisher(f.rdb, f.prefix)
	ts := time.Unix(1715520000, 0)
	require.NoError(t, pub.Publish(ctx, catalog.PriceEvents(catalog.PriceUpdate{CardID: 267, SetID: 4, TCG: "pokemon",
		Source: "tcgplayer", Variant: "normal", MarketPrice: 12.34, Currency: "USD"}, ts)...))
	for _, s := range []*sink{s1, s2} {
		m := s.next(t)
		require.Equal(t, "price_update", m["type"])
		require.Equal(t, "card:267", m["topic"])
		require.InDelta(t, 1715520000.0, m["ts"], 0.001)
		require.Equal(t, 12.34, m["data"].(map[string]any)["market_price"])
	}
	require.Empty(t, other.ch)

	// unsubscribed sinks get nothing more
	a.Unsubscribe(s1, "card:267")
	require.Equal(t, 0, a.Topics())
	require.NoError(t, pub.Publish(ctx, catalog.Event{Type: "listing_new", Topic: "card:267", Data: map[string]any{"listing_id": 1}}))
	require.Equal(t, "listing_new", s2.next(t)["type"])
	time.Sleep(50 * time.Millisecond)
	require.Empty(t, s1.ch)
}

func TestHubDropsSlowConsumers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	h := realtime.NewHub(f.rdb, realtime.HubOptions{Prefix: f.prefix})
	t.Cleanup(func() { _ = h.Close() })
	slow, fast := newSink(2), newSink(100)
	require.NoError(t, h.Subscribe(ctx, slow, "market:movers"))
	require.NoError(t, h.Subscribe(ctx, fast, "market:movers"))
	time.Sleep(50 * time.Millisecond)
	pub := realtime.NewPublisher(f.rdb, f.prefix)
	for i := range 10 {
		require.NoError(t, pub.Publish(ctx, catalog.Event{Type: "movers", Topic: "market:movers", Data: map[string]int{"i": i}}))
	}
	for range 10 {
		fast.next(t)
	}
	require.Eventually(t, func() bool { return slow.reason() == "slow consumer" }, 2*time.Second, 10*time.Millisecond)
	require.Len(t, slow.ch, 2)
}

func TestHubRelaysScanSessionEvents(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	scanPrefix := f.prefix + "scan-session:"
	h := realtime.NewHub(f.rdb, realtime.HubOptions{Prefix: f.prefix, ScanPrefix: scanPrefix})
	t.Cleanup(func() { _ = h.Close() })
	s := newSink(8)
	require.NoError(t, h.Subscribe(ctx, s, "scan:01HW6Q8ABC"))
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, f.rdb.Publish(ctx, scanPrefix+"01HW6Q8ABC", `{"event":"result","data":{"card_index":0}}`).Err())
	m := s.next(t)
	require.Equal(t, "scan_result", m["type"])
	require.Equal(t, "scan:01HW6Q8ABC", m["topic"])
	require.Equal(t, map[string]any{"session_id": "01HW6Q8ABC", "event": "result", "data": map[string]any{"card_index": 0.0}}, m["data"])

	// Close drops every sink
	require.NoError(t, h.Close())
	require.Eventually(t, func() bool { return s.reason() == "server shutting down" }, time.Second, 10*time.Millisecond)
	require.Error(t, h.Subscribe(ctx, s, "card:1"))
}

func TestConnsLimitAcrossProcesses(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	a := realtime.NewConns(f.rdb, f.prefix, time.Minute)
	b := realtime.NewConns(f.rdb, f.prefix, time.Minute)
	for i := range 3 {
		c := a
		if i%2 == 1 {
			c = b
		}
		ok, err := c.Acquire(ctx, "key:1", "conn"+string(rune('a'+i)), 3)
		require.NoError(t, err)
		require.True(t, ok)
	}
	ok, err := b.Acquire(ctx, "key:1", "connx", 3)
	require.NoError(t, err)
	require.False(t, ok, "the fourth connection is refused")
	ok, err = b.Acquire(ctx, "key:2", "connx", 3)
	require.NoError(t, err)
	require.True(t, ok, "buckets are separate")
	require.NoError(t, a.Release(ctx, "key:1", "conna"))
	ok, err = b.Acquire(ctx, "key:1", "connx", 3)
	require.NoError(t, err)
	require.True(t, ok)

	// a crashed process's connections expire after the TTL unless refreshed
	short := realtime.NewConns(f.rdb, f.prefix, 150*time.Millisecond)
	ok, err = short.Acquire(ctx, "ip:1", "dead", 1)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = short.Acquire(ctx, "ip:1", "live", 1)
	require.NoError(t, err)
	require.False(t, ok)
	time.Sleep(200 * time.Millisecond)
	ok, err = short.Acquire(ctx, "ip:1", "live", 1)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, short.Refresh(ctx, "ip:1", "live"))

	// a batch refresh keeps every named connection alive
	mid := realtime.NewConns(f.rdb, f.prefix, time.Second)
	for _, b := range []string{"ip:3", "ip:4"} {
		ok, err = mid.Acquire(ctx, b, "held", 1)
		require.NoError(t, err)
		require.True(t, ok)
	}
	time.Sleep(600 * time.Millisecond)
	require.NoError(t, mid.RefreshMany(ctx, []catalog.ConnRef{{Bucket: "ip:3", ID: "held"}, {Bucket: "ip:4", ID: "held"}}))
	time.Sleep(600 * time.Millisecond) // past the first expiry, not the refreshed one
	for _, b := range []string{"ip:3", "ip:4"} {
		ok, err = mid.Acquire(ctx, b, "another", 1)
		require.NoError(t, err)
		require.False(t, ok, "%s: the refreshed connection still counts", b)
	}
}
