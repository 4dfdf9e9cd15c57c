// Command bench-catalogue measures the catalogue's two hot paths on a
// database of its own: price-point ingest with COPY at CSM_BENCH_POINTS points
// (default 50M), then /api/v2/cards/{id} and /api/v2/cards/{id}/history under
// concurrent load, side by side with a Gin hello-world handler, in one run.
// Run it with `make bench-catalogue`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/cmd/internal/progress"
	"github.com/collectorstash/csm/generator"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
)

func main() {
	points := flag.Int64("points", envInt("CSM_BENCH_POINTS", 50_000_000), "price points to ingest")
	cards := flag.Int("cards", 100_000, "synthetic cards")
	days := flag.Int("days", 365, "daily points per series")
	conc := flag.Int("concurrency", 32, "concurrent HTTP clients")
	dur := flag.Duration("duration", 10*time.Second, "load duration per endpoint")
	keep := flag.Bool("keep", false, "reuse an existing bench database (skip ingest)")
	flag.Parse()
	if err := run(*points, *cards, *days, *conc, *dur, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bench-catalogue:", err)
		os.Exit(1)
	}
}

func envInt(k string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(k), 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}

func run(points int64, cards, days, conc int, dur time.Duration, keep bool) error {
	ctx := context.Background()
	base := os.Getenv("CSM_DATABASE_URL")
	if base == "" {
		base = "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable"
	}
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	u.Path = "/csm_bench"
	benchURL := u.String()
	if !keep {
		if benchURL, err = scratch.Database(ctx, base, "csm_bench"); err != nil {
			return err
		}
	}
	db, err := postgres.Open(ctx, benchURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	spec := generator.Spec{Seed: 42, Games: 4, SetsPerGame: 100, Cards: cards, VariantsPerCard: 2,
		Points: points, Days: days, Today: time.Now().UTC()}
	fmt.Printf("== ingest: %d price points (%d cards, %d variants, %d series × %d days), seed %d\n",
		points, cards, spec.Variants(), spec.Series(), days, spec.Seed)
	if !keep {
		rep, err := db.LoadSynthetic(ctx, spec, 2, progress.New(points, "COPY price_points", "points"))
		if err != nil {
			return err
		}
		fmt.Printf("ingest: %d points in %s = %.0f points/s (2 COPY writers); whole load %s\n",
			rep.Points, rep.PointsTook.Round(time.Millisecond), rep.PointsPerSecond(), rep.Took.Round(time.Millisecond))
	}
	var firstCard int64
	if err := db.Pool.QueryRow(ctx, `SELECT min(c.id) FROM cards c JOIN games g ON g.id = c.game_id WHERE g.slug = 'synthetic-1'`).Scan(&firstCard); err != nil {
		return err
	}
	// cards whose first variant carries a series: variant index < series
	priced := int64(min(spec.Series()/int64(spec.VariantsPerCard), int64(cards)))
	perm := rand.New(rand.NewPCG(1, 2)).Perm(int(priced))

	gin.SetMode(gin.ReleaseMode)
	hello := gin.New()
	hello.GET("/hello", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"hello": "world"}) })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	apiH, err := api.New(api.Config{Catalog: db, Log: quiet})
	if err != nil {
		return err
	}
	cachedH, err := api.New(api.Config{Catalog: db, Log: quiet, CacheTTL: time.Minute})
	if err != nil {
		return err
	}
	helloURL, stopHello, err := listen(hello)
	if err != nil {
		return err
	}
	defer stopHello()
	apiURL, stopAPI, err := listen(apiH)
	if err != nil {
		return err
	}
	defer stopAPI()
	cachedURL, stopCached, err := listen(cachedH)
	if err != nil {
		return err
	}
	defer stopCached()
	// hot-set traffic: card ranks drawn from a Zipf law (s=1.1) over the
	// priced cards, a fresh permutation so hot cards are spread over ids
	zipfCard := func(r *rand.Rand, z *rand.Zipf) int64 { return firstCard + int64(perm[z.Uint64()]) }

	fmt.Printf("\n== HTTP: %d concurrent clients, %s per endpoint, one process, loopback\n", conc, dur)
	fmt.Printf("%-34s %10s %9s %9s %9s %8s %8s\n", "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "hits")
	rows := []struct {
		name string
		url  func(r *rand.Rand, z *rand.Zipf) string
	}{
		{"gin hello-world", func(*rand.Rand, *rand.Zipf) string { return helloURL + "/hello" }},
		{"card detail, uniform, no cache", func(r *rand.Rand, _ *rand.Zipf) string {
			return fmt.Sprintf("%s/api/v2/cards/%d", apiURL, firstCard+r.Int64N(priced))
		}},
		{"card detail, zipf, 60s cache", func(r *rand.Rand, z *rand.Zipf) string {
			return fmt.Sprintf("%s/api/v2/cards/%d", cachedURL, zipfCard(r, z))
		}},
		{"history 90d, uniform, no cache", func(r *rand.Rand, _ *rand.Zipf) string {
			return fmt.Sprintf("%s/api/v2/cards/%d/history?region=eu&days=90", apiURL, firstCard+r.Int64N(priced))
		}},
		{"history 365d, uniform, no cache", func(r *rand.Rand, _ *rand.Zipf) string {
			return fmt.Sprintf("%s/api/v2/cards/%d/history?region=eu&days=365", apiURL, firstCard+r.Int64N(priced))
		}},
		{"history 90d, zipf, 60s cache", func(r *rand.Rand, z *rand.Zipf) string {
			return fmt.Sprintf("%s/api/v2/cards/%d/history?region=eu&days=90", cachedURL, zipfCard(r, z))
		}},
	}
	var helloRPS float64
	for i, row := range rows {
		res := load(row.url, priced, conc, dur)
		fmt.Printf("%-34s %10.0f %9.2f %9.2f %9.2f %8d %7.0f%%\n", row.name, res.rps, res.p(50), res.p(95), res.p(99), res.errors, 100*res.hitRate())
		if i == 0 {
			helloRPS = res.rps
		} else {
			fmt.Printf("%-34s %9.1f%% of hello-world req/s\n", "", 100*res.rps/helloRPS)
		}
	}
	return nil
}

func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

type result struct {
	lat    []time.Duration
	rps    float64
	errors int
	hits   int
}

func (r result) hitRate() float64 {
	if len(r.lat) == 0 {
		return 0
	}
	return float64(r.hits) / float64(len(r.lat))
}

func (r result) p(q float64) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat)-1) * q / 100)
	return float64(r.lat[i].Microseconds()) / 1000
}

// load runs conc clients for dur against urls and collects latencies; it is
// bounded in time and touches only loopback.
func load(next func(*rand.Rand, *rand.Zipf) string, n int64, conc int, dur time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	var mu sync.Mutex
	var all []time.Duration
	errs, hitsAll := 0, 0
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 7))
			z := rand.NewZipf(r, 1.1, 1, uint64(n-1))
			var local []time.Duration
			bad, hits := 0, 0
			for time.Now().Before(deadline) {
				start := time.Now()
				res, err := client.Get(next(r, z))
				if err != nil {
					bad++
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					bad++
					continue
				}
				local = append(local, time.Since(start))
				if res.Header.Get("X-Cache") == "hit" {
					hits++
				}
			}
			mu.Lock()
			all = append(all, local...)
			errs += bad
			hitsAll += hits
			mu.Unlock()
		}(uint64(w))
	}
	wg.Wait()
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return result{lat: all, rps: float64(len(all)) / dur.Seconds(), errors: errs, hits: hitsAll}
}
