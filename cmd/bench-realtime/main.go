// Command bench-realtime measures the real-time API on loopback: how many
// concurrent WebSocket subscribers one API process holds, and how long a
// price_update takes from PUBLISH to every subscriber (p50/p99).
//
// It serves /ws/v1 in-process (hub + Redis connection counter, as `csm
// serve` wires them), opens CSM_BENCH_CONNS anonymous clients (10,000 by
// default) that each subscribe to tcg:bench and one of 100 card topics,
// then publishes CSM_BENCH_ROUNDS rounds of one broadcast event (tcg:bench,
// to every client) and 100 per-card events (to 1/100 of them each). Every
// frame carries its publish time in "ts"; clients record now − ts. Redis
// is CSM_REDIS_ADDR (127.0.0.1:56379); everything ends within
// CSM_BENCH_TIMEOUT (3m).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/realtime"
)

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil && n > 0 {
		return n
	}
	return def
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-realtime:", err)
		os.Exit(1)
	}
}

func run() error {
	conns := envInt("CSM_BENCH_CONNS", 10_000)
	rounds := envInt("CSM_BENCH_ROUNDS", 20)
	timeout := 3 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("CSM_BENCH_TIMEOUT")); err == nil {
		timeout = d
	}
	redisAddr := os.Getenv("CSM_REDIS_ADDR")
	if redisAddr == "" {
		redisAddr = "127.0.0.1:56379"
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	// two fds per connection (client and server end) plus slack
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	want := uint64(2*conns + 1024)
	if lim.Cur < want {
		if lim.Max < want {
			lim.Max = want // root (CAP_SYS_RESOURCE) may raise the hard limit
			if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
				_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
			}
		}
		lim.Cur = min(want, lim.Max)
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return fmt.Errorf("raise fd limit: %w", err)
		}
	}
	if lim.Cur < want {
		conns = int(lim.Cur-1024) / 2
		fmt.Printf("fd limit %d: conns capped at %d\n", lim.Cur, conns)
	}

	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis %s: %w", redisAddr, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "bench:rt:" + hex.EncodeToString(b) + ":"
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub := realtime.NewHub(rdb, realtime.HubOptions{Prefix: prefix, Log: quiet})
	defer hub.Close()
	h := api.New(api.Config{
		Log: quiet, Stream: hub, StreamConns: realtime.NewConns(rdb, prefix, 3*catalog.StreamHeartbeat),
		StreamMaxConns: conns + 10, // every client is anonymous on 127.0.0.1
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "ws://" + ln.Addr().String() + "/ws/v1"
	fmt.Printf("bench-realtime: %d clients, %d rounds, GOMAXPROCS=%d, server %s\n", conns, rounds, runtime.GOMAXPROCS(0), url)

	// latency samples, written by the clients
	var (
		mu      sync.Mutex
		bcast   []time.Duration
		perCard []time.Duration
		got     atomic.Int64
	)
	record := func(topic string, d time.Duration) {
		mu.Lock()
		if topic == "tcg:bench" {
			bcast = append(bcast, d)
		} else {
			perCard = append(perCard, d)
		}
		mu.Unlock()
		got.Add(1)
	}

	// connect: 64 dialers at a time
	start := time.Now()
	clients := make([]*websocket.Conn, 0, conns)
	var cmu sync.Mutex
	var failed atomic.Int64
	var firstErr atomic.Value
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	ready := make(chan struct{}, conns)
	for i := range conns {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			dctx, dcancel := context.WithTimeout(ctx, 20*time.Second)
			defer dcancel()
			ws, _, err := websocket.Dial(dctx, url, nil)
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			ws.SetReadLimit(1 << 16)
			cmu.Lock()
			clients = append(clients, ws)
			cmu.Unlock()
			sub, _ := json.Marshal(map[string]any{"type": "subscribe", "topics": []string{"tcg:bench", catalog.CardTopic(int64(i%100 + 1))}})
			if err := ws.Write(dctx, websocket.MessageText, sub); err != nil {
				failed.Add(1)
				return
			}
			go readLoop(ctx, ws, record, ready)
		})
	}
	wg.Wait()
	// every client has its two "subscribed" acks
	for range conns - int(failed.Load()) {
		select {
		case <-ready:
		case <-ctx.Done():
			return errors.New("timed out waiting for subscriptions")
		}
	}
	held := len(clients)
	connectTook := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("connected: %d subscribers held (%d failed) in %s; %d goroutines; heap in use %d MiB, sys %d MiB (server and clients in one process)\n",
		held, failed.Load(), connectTook.Round(time.Millisecond), runtime.NumGoroutine(), ms.HeapInuse>>20, ms.Sys>>20)
	if err, ok := firstErr.Load().(error); ok {
		fmt.Println("first dial error:", err)
	}
	time.Sleep(200 * time.Millisecond) // the hub's SUBSCRIBEs reach Redis

	if p := os.Getenv("CSM_BENCH_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	pub := realtime.NewPublisher(rdb, prefix)
	expected := int64(0)
	for r := range rounds {
		events := []catalog.Event{{Type: catalog.FramePriceUpdate, Topic: "tcg:bench", TS: time.Now(),
			Data: catalog.PriceUpdate{CardID: 1, TCG: "bench", Source: "bench", Variant: "normal", MarketPrice: float64(r), Currency: "USD"}}}
		if r%2 == 1 { // odd rounds: 100 per-card events as one pipeline
			events = events[:0]
			now := time.Now()
			for c := int64(1); c <= 100; c++ {
				events = append(events, catalog.Event{Type: catalog.FramePriceUpdate, Topic: catalog.CardTopic(c), TS: now,
					Data: catalog.PriceUpdate{CardID: c, Source: "bench", Variant: "normal", MarketPrice: float64(r), Currency: "USD"}})
			}
		}
		if err := pub.Publish(ctx, events...); err != nil {
			return err
		}
		expected += int64(held)
		deadline := time.Now().Add(10 * time.Second)
		for got.Load() < expected && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("delivered: %d of %d frames\n", got.Load(), expected)
	mu.Lock()
	report("broadcast (1 event → every subscriber)", bcast)
	report("per-card (100 events → 1/100 of subscribers each)", perCard)
	all := append(append([]time.Duration{}, bcast...), perCard...)
	report("all price_update", all)
	mu.Unlock()
	for _, ws := range clients {
		_ = ws.CloseNow()
	}
	return nil
}

// readLoop reads frames: the two acks signal ready, price_update frames
// record their latency from the ts they carry. It skips full JSON
// decoding (frames are the server's own, fixed shape) so that the clients,
// which share the machine with the server, cost as little as possible.
func readLoop(ctx context.Context, ws *websocket.Conn, record func(string, time.Duration), ready chan<- struct{}) {
	acks := 0
	buf := make([]byte, 0, 512)
	for {
		_, r, err := ws.Reader(ctx)
		if err != nil {
			return
		}
		buf = buf[:0]
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err != nil {
				break
			}
		}
		now := time.Now()
		switch {
		case bytes.HasPrefix(buf, []byte(`{"type":"subscribed"`)):
			if acks++; acks == 2 {
				ready <- struct{}{}
			}
		case bytes.HasPrefix(buf, []byte(`{"type":"price_update"`)):
			topic := field(buf, `"topic":"`, '"')
			ts, _ := strconv.ParseFloat(string(field(buf, `"ts":`, ',')), 64)
			record(string(topic), now.Sub(time.UnixMicro(int64(ts*1e6+0.5))))
		}
	}
}

// field returns the bytes after key up to end.
func field(b []byte, key string, end byte) []byte {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return nil
	}
	b = b[i+len(key):]
	if j := bytes.IndexByte(b, end); j >= 0 {
		return b[:j]
	}
	return nil
}

func report(name string, d []time.Duration) {
	if len(d) == 0 {
		fmt.Printf("%s: no samples\n", name)
		return
	}
	slices.Sort(d)
	q := func(p float64) time.Duration {
		return d[min(len(d)-1, int(p*float64(len(d))))].Round(10 * time.Microsecond)
	}
	fmt.Printf("%s: n=%d p50=%s p90=%s p99=%s max=%s\n", name, len(d), q(0.50), q(0.90), q(0.99), d[len(d)-1].Round(10*time.Microsecond))
}
