// Command bench-realtime measures the real-time API on loopback: how many
// concurrent WebSocket subscribers one API process holds, and how long a
// price_update takes from PUBLISH to every subscriber (p50/p99).
//
// The parent process serves /ws/v1 (hub + Redis connection counter, as `csm
// serve` wires them) and re-executes itself as CSM_BENCH_PROCS client
// processes (2 by default; the hidden CSM_BENCH_CLIENT variable carries
// their part), which together open CSM_BENCH_CONNS anonymous clients
// (10,000 by default), so the server holds one descriptor per connection
// and each process has a descriptor limit of its own. Every client
// subscribes to tcg:bench and one of 100 card topics. The parent then
// publishes CSM_BENCH_ROUNDS rounds, alternating one broadcast event
// (tcg:bench, to every client) and 100 per-card events in one pipeline (to
// 1/100 of the clients each); a round starts only once the previous one
// has reached every client (or after 10 s) and CSM_BENCH_GAP (100ms) has
// passed, so no event waits behind an earlier round's fan-out. Every frame
// carries its publish time in "ts"; clients record arrival − ts, arrival
// being the kernel's receive time on the client socket (SO_TIMESTAMPNS:
// the client processes share the two cores with the server, and when they
// ran late their own scheduling was measured as fan-out latency), and also
// report the time they read the frame. They send their samples to the
// parent on stdout. Redis is CSM_REDIS_ADDR (127.0.0.1:56379); everything
// ends within CSM_BENCH_TIMEOUT (3m). CSM_BENCH_CPUPROFILE,
// CSM_BENCH_BLOCKPROFILE and CSM_BENCH_MUTEXPROFILE name files for the
// server process's profiles over the rounds.
package main

import (
	"bufio"
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
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/cmd/internal/sysload"
	"github.com/collectorstash/csm/realtime"
)

// clientEnv carries a client process's part (JSON clientConfig).
const clientEnv = "CSM_BENCH_CLIENT"

// benchTopic is the broadcast topic; cards are card:1 … card:100.
const (
	benchTopic = "tcg:bench"
	cards      = 100
)

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil && n > 0 {
		return n
	}
	return def
}

func envDuration(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil && d >= 0 {
		return d
	}
	return def
}

func main() {
	var err error
	if cfg := os.Getenv(clientEnv); cfg != "" {
		err = client(cfg)
	} else {
		err = run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-realtime:", err)
		os.Exit(1)
	}
}

// raiseFDLimit sets the soft descriptor limit to want, or to the hard
// limit when that is lower, and returns the limit in force.
func raiseFDLimit(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur >= want {
		return lim.Cur, nil
	}
	if lim.Max < want {
		raised := lim
		raised.Max, raised.Cur = want, want // root (CAP_SYS_RESOURCE) may raise the hard limit
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			return want, nil
		}
	}
	lim.Cur = min(want, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("raise fd limit: %w", err)
	}
	return lim.Cur, nil
}

// ---- parent: server, publisher, report ----

// clientConfig is one client process's part.
type clientConfig struct {
	URL      string    `json:"url"`
	First    int       `json:"first"` // index of its first client (card = index%100+1)
	N        int       `json:"n"`
	Rounds   int       `json:"rounds"`
	Deadline time.Time `json:"deadline"`
}

// clientMsg is one line a client process writes on stdout.
type clientMsg struct {
	Ready   *readyMsg   `json:"ready,omitempty"`
	Done    *int        `json:"done,omitempty"` // round every client of the process has
	Samples *samplesMsg `json:"samples,omitempty"`
}

// readyMsg: the process's clients are connected and subscribed.
type readyMsg struct {
	Held, Failed int
	FDLimit      uint64
	Err          string
}

// samplesMsg are a process's price_update latencies (ns): at arrival (the
// kernel's receive time on the client socket) and as read by the client.
type samplesMsg struct {
	Broadcast, PerCard         []int64
	BroadcastRead, PerCardRead []int64
	Received                   int64
	CPU                        time.Duration // from ready to the end
}

type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	msgs  chan clientMsg
}

func run() error {
	conns := envInt("CSM_BENCH_CONNS", 10_000)
	rounds := envInt("CSM_BENCH_ROUNDS", 20)
	procs := min(envInt("CSM_BENCH_PROCS", 2), conns)
	gap := envDuration("CSM_BENCH_GAP", 100*time.Millisecond)
	timeout := envDuration("CSM_BENCH_TIMEOUT", 3*time.Minute)
	redisAddr := os.Getenv("CSM_REDIS_ADDR")
	if redisAddr == "" {
		redisAddr = "127.0.0.1:56379"
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	// the server end of each connection plus slack
	fdLimit, err := raiseFDLimit(uint64(conns + 1024))
	if err != nil {
		return err
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
	h, err := api.New(api.Config{
		Log: quiet, Stream: hub, StreamConns: realtime.NewConns(rdb, prefix, 3*catalog.StreamHeartbeat),
		StreamMaxConns: conns + 10, // every client is anonymous on 127.0.0.1
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "ws://" + ln.Addr().String() + "/ws/v1"
	fmt.Printf("bench-realtime: %d clients in %d client processes, %d rounds, %d CPUs, GOMAXPROCS=%d, server %s (fd limit %d)\n",
		conns, procs, rounds, runtime.NumCPU(), runtime.GOMAXPROCS(0), url, fdLimit)

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	start := time.Now()
	children := make([]*child, procs)
	first := 0
	for i := range procs {
		n := conns / procs
		if i < conns%procs {
			n++
		}
		cfg, _ := json.Marshal(clientConfig{URL: url, First: first, N: n, Rounds: rounds, Deadline: deadline})
		first += n
		cmd := exec.CommandContext(ctx, exe)
		cmd.Env = append(os.Environ(), clientEnv+"="+string(cfg))
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return err
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("start client process: %w", err)
		}
		c := &child{cmd: cmd, stdin: stdin, msgs: make(chan clientMsg, rounds+4)}
		children[i] = c
		go func() {
			defer close(c.msgs)
			dec := json.NewDecoder(bufio.NewReaderSize(stdout, 1<<20))
			for {
				var m clientMsg
				if err := dec.Decode(&m); err != nil {
					if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
						fmt.Fprintln(os.Stderr, "bench-realtime: client output:", err)
					}
					return
				}
				c.msgs <- m
			}
		}()
	}
	defer func() {
		for _, c := range children {
			_ = c.stdin.Close()
			_ = c.cmd.Wait()
		}
	}()

	// every client process has its clients subscribed
	held, failed := 0, 0
	for i, c := range children {
		m, ok := next(ctx, c.msgs, func(m clientMsg) bool { return m.Ready != nil })
		if !ok {
			return fmt.Errorf("client process %d: no ready report", i)
		}
		held += m.Ready.Held
		failed += m.Ready.Failed
		if m.Ready.Err != "" {
			fmt.Printf("client process %d (fd limit %d): first error: %s\n", i, m.Ready.FDLimit, m.Ready.Err)
		}
	}
	connectTook := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds, _ := os.ReadDir("/proc/self/fd")
	fmt.Printf("connected: %d subscribers held (%d failed) in %s; server process: %d goroutines, %d fds, heap in use %d MiB, sys %d MiB\n",
		held, failed, connectTook.Round(time.Millisecond), runtime.NumGoroutine(), len(fds), ms.HeapInuse>>20, ms.Sys>>20)
	time.Sleep(200 * time.Millisecond) // the hub's SUBSCRIBEs reach Redis

	prof, err := startProfiles()
	if err != nil {
		return err
	}
	defer prof.stop() // on an early return
	pub := realtime.NewPublisher(rdb, prefix)
	cpu0 := sysload.CPUTime()
	complete := 0
	for r := range rounds {
		events := []catalog.Event{{Type: catalog.FramePriceUpdate, Topic: benchTopic, TS: time.Now(),
			Data: catalog.PriceUpdate{CardID: 1, TCG: "bench", Source: "bench", Variant: "normal", MarketPrice: float64(r), Currency: "USD"}}}
		if r%2 == 1 { // odd rounds: 100 per-card events as one pipeline
			events = events[:0]
			now := time.Now()
			for c := int64(1); c <= cards; c++ {
				events = append(events, catalog.Event{Type: catalog.FramePriceUpdate, Topic: catalog.CardTopic(c), TS: now,
					Data: catalog.PriceUpdate{CardID: c, Source: "bench", Variant: "normal", MarketPrice: float64(r), Currency: "USD"}})
			}
		}
		if err := pub.Publish(ctx, events...); err != nil {
			return err
		}
		// every client process reports the round complete, or 10 s pass
		rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
		done := 0
		for _, c := range children {
			if _, ok := next(rctx, c.msgs, func(m clientMsg) bool { return m.Done != nil && *m.Done == r }); ok {
				done++
			}
		}
		rcancel()
		if done == len(children) {
			complete++
		}
		time.Sleep(gap)
	}
	cpu := sysload.CPUTime() - cpu0
	prof.stop() // the profiles cover the rounds, not the connections' teardown

	// the clients' samples
	var bcast, perCard, bcastRead, perCardRead []time.Duration
	var received int64
	var clientCPU time.Duration
	for _, c := range children {
		_ = c.stdin.Close()
	}
	for i, c := range children {
		m, ok := next(ctx, c.msgs, func(m clientMsg) bool { return m.Samples != nil })
		if !ok {
			return fmt.Errorf("client process %d: no samples", i)
		}
		received += m.Samples.Received
		clientCPU += m.Samples.CPU
		bcast = appendDurations(bcast, m.Samples.Broadcast)
		perCard = appendDurations(perCard, m.Samples.PerCard)
		bcastRead = appendDurations(bcastRead, m.Samples.BroadcastRead)
		perCardRead = appendDurations(perCardRead, m.Samples.PerCardRead)
	}
	fmt.Printf("delivered: %d of %d frames (%d of %d rounds complete); CPU over the rounds: server process %s, client processes %s; load average %s\n",
		received, int64(held)*int64(rounds), complete, rounds, cpu.Round(time.Millisecond), clientCPU.Round(time.Millisecond), sysload.Load1())
	fmt.Println("latency = arrival on the client socket (kernel receive time, SO_TIMESTAMPNS) − publish time:")
	report("broadcast (1 event → every subscriber)", bcast)
	report("per-card (100 events → 1/100 of subscribers each)", perCard)
	report("all price_update", append(append([]time.Duration{}, bcast...), perCard...))
	fmt.Println("the same frames as read by the client processes (their own scheduling included):")
	report("all price_update, read", append(append([]time.Duration{}, bcastRead...), perCardRead...))
	return nil
}

func appendDurations(d []time.Duration, ns []int64) []time.Duration {
	for _, n := range ns {
		d = append(d, time.Duration(n))
	}
	return d
}

// next returns the first message from ch that want accepts, skipping the
// others, or false when ch closes or ctx ends.
func next(ctx context.Context, ch <-chan clientMsg, want func(clientMsg) bool) (clientMsg, bool) {
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				return clientMsg{}, false
			}
			if want(m) {
				return m, true
			}
		case <-ctx.Done():
			return clientMsg{}, false
		}
	}
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
