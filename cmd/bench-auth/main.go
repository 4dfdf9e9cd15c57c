// Command bench-auth measures what authentication and the Redis rate
// limiter add to a request: the same route (GET /api/v2/games, answered
// from the response cache so the handler itself costs little) is called
// unauthenticated without a limiter, anonymously through the per-IP
// limiter, with an API key without and with the limiter, and with a session
// cookie, in interleaved rounds of one run, on loopback, against the
// toolbox's Postgres and Redis. Key lookups go through the in-process key
// cache (keycache) and the key's two budgets take one Redis call
// (Limiter.TakeKey), as `csm serve` wires them. It also times the
// limiter's calls on their own. Run it with `make bench-auth`.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/keycache"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
	"github.com/collectorstash/csm/ratelimit"
)

func main() {
	n := flag.Int("n", 2000, "sequential requests per mode (≤ 2500: the bench key's per-minute budget is 3000)")
	rounds := flag.Int("rounds", 10, "interleaved rounds the requests are split into")
	conc := flag.Int("concurrency", 8, "clients in the concurrent section")
	per := flag.Int("concurrent-n", 2000, "requests per mode in the concurrent section")
	flag.Parse()
	if cfg := os.Getenv(clientEnv); cfg != "" {
		if err := client(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "bench-auth client:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*n, *rounds, *conc, *per); err != nil {
		fmt.Fprintln(os.Stderr, "bench-auth:", err)
		os.Exit(1)
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

const schema = "bench_auth"

func run(n, rounds, conc, per int) error {
	ctx := context.Background()
	base := env("CSM_DATABASE_URL", "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable")
	su, drop, err := scratch.Schema(ctx, base, schema)
	if err != nil {
		return err
	}
	defer drop()
	db, err := postgres.Open(ctx, su)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if _, err := demo.Load(ctx, db, db, demo.Options{Today: time.Now().UTC(), Days: 2}); err != nil {
		return err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	// the limiter `csm serve` wires (API keys' budgets leased in batches),
	// and the same without leases for comparison
	lim := ratelimit.NewLeased(ratelimit.Open(env("CSM_REDIS_ADDR", "127.0.0.1:56379"), "bench:"+hex.EncodeToString(b)+":"), ratelimit.LeaseOptions{})
	defer lim.Close()
	if err := lim.Ping(ctx); err != nil {
		return err
	}
	unleased := ratelimit.Open(env("CSM_REDIS_ADDR", "127.0.0.1:56379"), "bench:"+hex.EncodeToString(b)+":")
	defer unleased.Close()

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// key lookups go through the in-process cache, as `csm serve` wires it
	rdb := redis.NewClient(&redis.Options{Addr: env("CSM_REDIS_ADDR", "127.0.0.1:56379")})
	defer rdb.Close()
	keys := keycache.New(db, db, rdb, keycache.Options{Prefix: "bench:" + hex.EncodeToString(b) + ":", Log: quiet})
	defer keys.Close()
	for start := time.Now(); !keys.Live(); time.Sleep(5 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			return fmt.Errorf("key cache: invalidation channel not subscribed")
		}
	}
	secret := []byte("bench-auth-secret-bench-auth-secret!")
	base0 := api.Config{Catalog: db, Log: quiet, CacheTTL: time.Minute}
	withAuth := base0
	withAuth.Accounts, withAuth.Keys, withAuth.SessionSecret = keys, keys, secret
	withLimiter := withAuth
	withLimiter.Limiter = lim
	withLimiter.TrustedProxies = []string{"127.0.0.1"} // anonymous clients get an IP each via X-Forwarded-For
	withUnleased := withLimiter
	withUnleased.Limiter = unleased
	var hs [4]http.Handler
	for i, c := range []api.Config{base0, withAuth, withLimiter, withUnleased} {
		h, err := api.New(c)
		if err != nil {
			return err
		}
		hs[i] = h
	}
	plainURL, stop1, err := listen(hs[0])
	if err != nil {
		return err
	}
	defer stop1()
	authURL, stop2, err := listen(hs[1])
	if err != nil {
		return err
	}
	defer stop2()
	limURL, stop3, err := listen(hs[2])
	if err != nil {
		return err
	}
	defer stop3()
	unleasedURL, stop4, err := listen(hs[3])
	if err != nil {
		return err
	}
	defer stop4()

	// an Enterprise account (3,000 req/min, 1M a day) with one key per section
	cookie, err := signUp(authURL, "bench")
	if err != nil {
		return err
	}
	if _, err := db.SetTier(ctx, "bench", catalog.TierEnterprise); err != nil {
		return err
	}
	keySeq, err := newKey(authURL, cookie, "sequential")
	if err != nil {
		return err
	}
	keyConc, err := newKey(authURL, cookie, "concurrent")
	if err != nil {
		return err
	}
	// the unleased limiter's mode has keys of its own (each key's minute
	// budget holds one mode's requests)
	keySeq2, err := newKey(authURL, cookie, "sequential-unleased")
	if err != nil {
		return err
	}
	keyConc2, err := newKey(authURL, cookie, "concurrent-unleased")
	if err != nil {
		return err
	}

	var ipSeq uint32
	var ipMu sync.Mutex
	nextIP := func() string { // a fresh client IP per anonymous request: never over its 30/min
		ipMu.Lock()
		defer ipMu.Unlock()
		ipSeq++
		return fmt.Sprintf("10.%d.%d.%d", byte(ipSeq>>16), byte(ipSeq>>8), byte(ipSeq))
	}
	route := "/api/v2/games"
	modes := []mode{
		{"unauthenticated, no limiter", plainURL, nil},
		{"anonymous, IP limiter", limURL, func(h http.Header) { h.Set("X-Forwarded-For", nextIP()) }},
		{"API key, no limiter", authURL, bearer(keySeq)},
		{"API key, limiter", limURL, bearer(keySeq)},
		{"session cookie (bypasses limiter)", limURL, func(h http.Header) { h.Set("Cookie", api.SessionCookie+"="+cookie) }},
		{"API key, limiter without leases", unleasedURL, bearer(keySeq2)},
	}

	fmt.Printf("== bench-auth: GET %s (response cache on), loopback; Postgres + Redis of the toolbox; %d CPUs, GOMAXPROCS=%d\n",
		route, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Printf("\n-- sequential: 1 client, %d requests per mode in %d interleaved rounds (after 100 warm-up each)\n", n, rounds)
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for _, m := range modes {
		if _, err := m.batch(client, route, 100); err != nil {
			return err
		}
	}
	lat := make([][]time.Duration, len(modes))
	for r := 0; r < rounds; r++ {
		for i, m := range modes {
			d, err := m.batch(client, route, n/rounds)
			if err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			lat[i] = append(lat[i], d...)
		}
	}
	fmt.Printf("%-36s %8s %9s %9s %9s %9s\n", "mode", "n", "mean µs", "p50 µs", "p95 µs", "p99 µs")
	stats := make([]summary, len(modes))
	for i, m := range modes {
		stats[i] = summarize(lat[i])
		s := stats[i]
		fmt.Printf("%-36s %8d %9.0f %9.0f %9.0f %9.0f\n", m.name, len(lat[i]), s.mean, s.p50, s.p95, s.p99)
	}
	fmt.Println()
	fmt.Printf("limiter added, anonymous (IP GCRA, 1 Redis call):          p50 %+6.0f µs  mean %+6.0f µs\n", stats[1].p50-stats[0].p50, stats[1].mean-stats[0].mean)
	fmt.Printf("limiter added, API key (GCRA + daily counter, 1 call):      p50 %+6.0f µs  mean %+6.0f µs\n", stats[3].p50-stats[2].p50, stats[3].mean-stats[2].mean)
	fmt.Printf("limiter added, API key, without leases:                     p50 %+6.0f µs  mean %+6.0f µs\n", stats[5].p50-stats[2].p50, stats[5].mean-stats[2].mean)
	fmt.Printf("key auth added (cached hash lookup), no limiter:            p50 %+6.0f µs  mean %+6.0f µs\n", stats[2].p50-stats[0].p50, stats[2].mean-stats[0].mean)
	fmt.Printf("key auth + limiter vs unauthenticated:                      p50 %+6.0f µs  mean %+6.0f µs\n", stats[3].p50-stats[0].p50, stats[3].mean-stats[0].mean)

	// the limiter's Redis calls on their own
	fmt.Printf("\n-- limiter calls alone (direct, 1 caller, %d each)\n", n)
	var minute, daily, both, leased []time.Duration
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if _, err := lim.AllowMinute(ctx, "direct", 1_000_000); err != nil {
			return err
		}
		t1 := time.Now()
		if _, err := lim.TakeDaily(ctx, "direct", 1, catalog.Unlimited, t1); err != nil {
			return err
		}
		t2 := time.Now()
		if _, _, err := unleased.TakeKey(ctx, "direct2", 1_000_000, "direct2", catalog.Unlimited, t2); err != nil {
			return err
		}
		t3 := time.Now()
		if _, _, err := lim.TakeKey(ctx, "direct3", 1_000_000, "direct3", catalog.Unlimited, t3); err != nil {
			return err
		}
		minute, daily, both = append(minute, t1.Sub(t0)), append(daily, t2.Sub(t1)), append(both, t3.Sub(t2))
		leased = append(leased, time.Since(t3))
	}
	for _, row := range []struct {
		name string
		d    []time.Duration
	}{{"AllowMinute (redis_rate GCRA)", minute}, {"TakeDaily (Lua INCRBY+EXPIRE)", daily}, {"TakeKey (both, one Lua call)", both},
		{"TakeKey leased (Leased)", leased}} {
		s := summarize(row.d)
		fmt.Printf("%-36s %8d %9.0f %9.0f %9.0f %9.0f\n", row.name, len(row.d), s.mean, s.p50, s.p95, s.p99)
	}

	fmt.Printf("\n-- concurrent: %d clients in a separate process, %d requests per mode in %d interleaved rounds\n", conc, per, rounds)
	fmt.Printf("   (CPU µs per request, user+system during the mode's batches: the server process, the client process,\n")
	fmt.Printf("    and Redis (INFO cpu: every client of the shared Redis counts))\n")
	fmt.Printf("%-36s %9s %8s %8s %8s %8s %5s %7s %7s %7s\n", "mode", "req/s", "mean µs", "p50 µs", "p99 µs", "max µs", "!200", "server", "client", "redis")
	cmodes := []clientMode{
		{Name: modes[0].name, URL: plainURL},
		{Name: modes[1].name, URL: limURL, FreshIP: true},
		{Name: modes[2].name, URL: authURL, Header: map[string]string{"Authorization": "Bearer " + keyConc}},
		{Name: modes[3].name, URL: limURL, Header: map[string]string{"Authorization": "Bearer " + keyConc}},
		{Name: modes[4].name, URL: limURL, Header: map[string]string{"Cookie": api.SessionCookie + "=" + cookie}},
		{Name: modes[5].name, URL: unleasedURL, Header: map[string]string{"Authorization": "Bearer " + keyConc2}},
	}
	if p := os.Getenv("CSM_BENCH_CPUPROFILE"); p != "" { // the server process during the concurrent section
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	// the modes take turns, so a burst of other load on the machine lands
	// on all of them rather than on one
	calls0, trips0 := lim.Coalesced()
	ucalls0, utrips0 := unleased.Coalesced()
	res, _, err := runClients(clientConfig{Route: route, Conc: conc, Per: per / rounds, Rounds: rounds, Modes: cmodes},
		func() time.Duration { return redisCPU(ctx, rdb) })
	if err != nil {
		return err
	}
	var base1, cpu1 float64
	for i, m := range cmodes {
		r := res[i]
		rps := float64(len(r.lat)) / r.took.Seconds()
		n := float64(max(len(r.lat)+r.bad, 1))
		cpu := float64(r.serverCPU.Nanoseconds()) / 1000 / n
		s := summarize(r.lat)
		fmt.Printf("%-36s %9.0f %8.0f %8.0f %8.0f %8.0f %5d %7.1f %7.1f %7.1f\n", m.Name, rps, s.mean, s.p50, s.p99, s.max, r.bad,
			cpu, float64(r.clientCPU.Nanoseconds())/1000/n, float64(r.redisCPU.Nanoseconds())/1000/n)
		if i == 0 {
			base1, cpu1 = rps, cpu
		} else {
			fmt.Printf("%-36s %9.1f%% of unauthenticated req/s, server CPU per request ×%.2f\n", "", 100*rps/base1, cpu/cpu1)
		}
	}
	if calls, trips := lim.Coalesced(); trips > trips0 {
		anon := len(res[1].lat) + res[1].bad // one AllowMinute call each
		fmt.Printf("leased limiter: %d script calls in %d Redis round trips (%.2f a trip); API key requests: %.1f per lease call\n",
			calls-calls0, trips-trips0, float64(calls-calls0)/float64(trips-trips0),
			float64(len(res[3].lat)+res[3].bad)/float64(max(calls-calls0-int64(anon), 1)))
	}
	if calls, trips := unleased.Coalesced(); trips > utrips0 {
		fmt.Printf("limiter without leases: %d script calls in %d Redis round trips (%.2f a trip: concurrent calls share a pipeline)\n",
			calls-ucalls0, trips-utrips0, float64(calls-ucalls0)/float64(trips-utrips0))
	}
	if r := 100 * float64(len(res[3].lat)) / res[3].took.Seconds() / base1; r >= 60 {
		fmt.Printf("target: API key + limiter ≥ 60%% of unauthenticated req/s: %.1f%% PASS\n", r)
	} else {
		fmt.Printf("target: API key + limiter ≥ 60%% of unauthenticated req/s: %.1f%% FAIL\n", r)
	}
	return nil
}

// redisCPU is the Redis server's user+system CPU time so far (INFO cpu),
// 0 when it cannot be read.
func redisCPU(ctx context.Context, rdb *redis.Client) time.Duration {
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_sys" || k == "used_cpu_user") {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

type mode struct {
	name   string
	url    string
	header func(http.Header)
}

func bearer(key string) func(http.Header) {
	return func(h http.Header) { h.Set("Authorization", "Bearer "+key) }
}

func (m mode) do(c *http.Client, path string) (time.Duration, int, error) {
	req, err := http.NewRequest(http.MethodGet, m.url+path, nil)
	if err != nil {
		return 0, 0, err
	}
	if m.header != nil {
		m.header(req.Header)
	}
	start := time.Now()
	res, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return time.Since(start), res.StatusCode, nil
}

// batch runs k sequential requests; any non-200 is an error (the bench
// must stay inside every limit it measures).
func (m mode) batch(c *http.Client, path string, k int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, k)
	for i := 0; i < k; i++ {
		d, st, err := m.do(c, path)
		if err != nil {
			return nil, err
		}
		if st != http.StatusOK {
			return nil, fmt.Errorf("status %d", st)
		}
		out = append(out, d)
	}
	return out, nil
}

// concurrent runs conc clients for total requests; bounded, loopback only.
// It returns the wall time, the latencies of the 200s and the others' count.
func (m mode) concurrent(path string, conc, total int) (time.Duration, []time.Duration, int) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	var mu sync.Mutex
	var all []time.Duration
	bad := 0
	jobs := make(chan struct{}, total)
	for i := 0; i < total; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Go(func() {
			var local []time.Duration
			nb := 0
			for range jobs {
				d, st, err := m.do(c, path)
				if err != nil || st != http.StatusOK {
					nb++
					continue
				}
				local = append(local, d)
			}
			mu.Lock()
			all, bad = append(all, local...), bad+nb
			mu.Unlock()
		})
	}
	wg.Wait()
	return time.Since(start), all, bad
}

type summary struct{ mean, p50, p95, p99, max float64 }

func summarize(d []time.Duration) summary {
	if len(d) == 0 {
		return summary{}
	}
	s := append([]time.Duration{}, d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	us := func(x time.Duration) float64 { return float64(x.Nanoseconds()) / 1000 }
	p := func(q float64) float64 { return us(s[int(float64(len(s)-1)*q)]) }
	return summary{mean: us(sum) / float64(len(s)), p50: p(0.50), p95: p(0.95), p99: p(0.99), max: us(s[len(s)-1])}
}

func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// signUp registers name and returns its session cookie.
func signUp(base, name string) (string, error) {
	body := fmt.Sprintf(`{"username":%q,"email":%q,"password":"bench-password-1"}`, name, name+"@example.com")
	res, err := http.Post(base+"/auth/register", "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == api.SessionCookie && res.StatusCode == http.StatusCreated {
			return ck.Value, nil
		}
	}
	return "", fmt.Errorf("register: status %d", res.StatusCode)
}

// newKey creates an API key with the session cookie.
func newKey(base, cookie, name string) (string, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/api/keys", strings.NewReader(fmt.Sprintf(`{"name":%q}`, name)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", api.SessionCookie+"="+cookie)
	req.Header.Set("Origin", base)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var k struct {
		Key string `json:"key"`
	}
	if err := json.NewDecoder(res.Body).Decode(&k); err != nil || k.Key == "" {
		return "", fmt.Errorf("create key: status %d", res.StatusCode)
	}
	return k.Key, nil
}
