// Command bench-catalogue measures the catalogue's hot paths on a database
// of its own: price-point ingest with COPY at CSM_BENCH_POINTS points
// (default 50M), then /api/v2/cards/{id} and /api/v2/cards/{id}/history under
// concurrent load, side by side with a Gin hello-world handler, in one run;
// then /api/search p95, the market job and /api/market/movers p95 from
// Redis, and the disk the database uses, each against its target. Run it
// with `make bench-catalogue`.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/cmd/internal/progress"
	"github.com/collectorstash/csm/generator"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
	"github.com/collectorstash/csm/pricing"
	"github.com/collectorstash/csm/rediscache"
)

func main() {
	points := flag.Int64("points", envInt("CSM_BENCH_POINTS", 50_000_000), "price points to ingest")
	cards := flag.Int("cards", 100_000, "synthetic cards")
	days := flag.Int("days", 365, "daily points per series")
	conc := flag.Int("concurrency", 32, "concurrent HTTP clients")
	dur := flag.Duration("duration", 10*time.Second, "load duration per endpoint")
	keep := flag.Bool("keep", false, "reuse an existing bench database (skip ingest)")
	writers := flag.Int("writers", int(envInt("CSM_BENCH_WRITERS", 2)), "parallel COPY writers")
	market := flag.Bool("market", true, "also measure search, the market job and movers")
	dbName := flag.String("db", envStr("CSM_BENCH_DB", "csm_bench"), "bench database name")
	flag.Parse()
	if err := run(*dbName, *points, *cards, *days, *conc, *writers, *dur, *keep, *market); err != nil {
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

func run(dbName string, points int64, cards, days, conc, writers int, dur time.Duration, keep, market bool) error {
	ctx := context.Background()
	base := os.Getenv("CSM_DATABASE_URL")
	if base == "" {
		base = "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable"
	}
	benchURL, err := scratch.Reuse(base, dbName)
	if err == nil && !keep {
		benchURL, err = scratch.Database(ctx, base, dbName)
	}
	if err != nil {
		return err
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
	if !keep {
		fmt.Printf("== ingest: %d price points (%d cards, %d variants, %d series × %d days), seed %d\n",
			points, cards, spec.Variants(), spec.Series(), days, spec.Seed)
		rep, err := db.LoadSynthetic(ctx, spec, writers, progress.New(points, "COPY price_points", "points"))
		if err != nil {
			return err
		}
		fmt.Printf("ingest: %d points in %s = %.0f points/s (%d COPY writers); whole load %s   target ≥ 1000000 points/s: %s\n",
			rep.Points, rep.PointsTook.Round(time.Millisecond), rep.PointsPerSecond(), writers, rep.Took.Round(time.Millisecond),
			verdict(rep.PointsPerSecond() >= 1e6))
		fmt.Printf("card documents: %d cards rendered in %s (%d connections)\n", rep.Cards, rep.DocsTook.Round(time.Millisecond), writers)
		fmt.Printf("price_years: %d series filled in %s (%d connections)\n", rep.Series, rep.YearsTook.Round(time.Millisecond), writers)
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
	// the route as it was before the stored documents: built live per request
	liveH, err := api.New(api.Config{Catalog: liveCards{db}, Log: quiet})
	if err != nil {
		return err
	}
	liveURL, stopLive, err := listen(liveH)
	if err != nil {
		return err
	}
	defer stopLive()
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
		{"card detail, uniform, live build", func(r *rand.Rand, _ *rand.Zipf) string {
			return fmt.Sprintf("%s/api/v2/cards/%d", liveURL, firstCard+r.Int64N(priced))
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
		{"history 90d, uniform, price_points", func(r *rand.Rand, _ *rand.Zipf) string {
			return fmt.Sprintf("%s/api/v2/cards/%d/history?region=eu&days=90", liveURL, firstCard+r.Int64N(priced))
		}},
		{"history 365d, uniform, price_points", func(r *rand.Rand, _ *rand.Zipf) string {
			return fmt.Sprintf("%s/api/v2/cards/%d/history?region=eu&days=365", liveURL, firstCard+r.Int64N(priced))
		}},
		{"history 90d, zipf, 60s cache", func(r *rand.Rand, z *rand.Zipf) string {
			return fmt.Sprintf("%s/api/v2/cards/%d/history?region=eu&days=90", cachedURL, zipfCard(r, z))
		}},
	}
	var helloRPS float64
	for i, row := range rows {
		if i == 1 && os.Getenv("CSM_BENCH_CPUPROFILE") != "" {
			// the card-detail (uncached) phase only: server and clients
			f, err := os.Create(os.Getenv("CSM_BENCH_CPUPROFILE"))
			if err != nil {
				return err
			}
			_ = pprof.StartCPUProfile(f)
		}
		res := load(row.url, priced, conc, dur)
		if i == 1 && os.Getenv("CSM_BENCH_CPUPROFILE") != "" {
			pprof.StopCPUProfile()
		}
		fmt.Printf("%-34s %10.0f %9.2f %9.2f %9.2f %8d %7.0f%%\n", row.name, res.rps, res.p(50), res.p(95), res.p(99), res.errors, 100*res.hitRate())
		if i == 0 {
			helloRPS = res.rps
			continue
		}
		share := 100 * res.rps / helloRPS
		switch i {
		case 1:
			fmt.Printf("%-34s %9.1f%% of hello-world req/s   target ≥ 50%%: %s\n", "", share, verdict(share >= 50))
		case 4, 5:
			fmt.Printf("%-34s %9.1f%% of hello-world req/s   target p95 ≤ 20 ms: %s\n", "", share, verdict(res.p(95) <= 20))
		default:
			fmt.Printf("%-34s %9.1f%% of hello-world req/s\n", "", share)
		}
	}
	if err := historyAB(ctx, db, firstCard, priced); err != nil {
		return err
	}
	if market {
		if err := searchAndMovers(ctx, db, spec, priced); err != nil {
			return err
		}
	}
	var size, stored int64
	if err := db.Pool.QueryRow(ctx, `SELECT pg_database_size(current_database()),
		(SELECT value FROM catalog_counters WHERE name = 'price_points')`).Scan(&size, &stored); err != nil {
		return err
	}
	fmt.Printf("\n== disk: database %.1f GB (%d price points stored)\n", float64(size)/(1<<30), stored)
	var years, pointsSize int64
	if err := db.Pool.QueryRow(ctx, `SELECT pg_total_relation_size('price_years'),
		(SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		 WHERE i.inhparent = 'price_points'::regclass)::bigint`).Scan(&years, &pointsSize); err != nil {
		return err
	}
	fmt.Printf("price_years (history read model) %.2f GB beside price_points %.2f GB (with indexes)\n",
		float64(years)/(1<<30), float64(pointsSize)/(1<<30))
	return nil
}

// verdict renders a target check.
func verdict(met bool) string {
	if met {
		return "MET"
	}
	return "MISSED"
}

// searchAndMovers measures /api/search (sequential, varied uncached
// queries: exact names, prefixes, one-letter typos, filtered) over the
// bench catalogue, then runs the market job and measures /api/market/movers
// from Redis.
func searchAndMovers(ctx context.Context, db *postgres.DB, spec generator.Spec, priced int64) error {
	rdb := redis.NewClient(&redis.Options{Addr: envStr("CSM_REDIS_ADDR", "127.0.0.1:56379")})
	defer rdb.Close()
	const prefix = "bench:catalogue:pricing:"
	defer func() {
		if keys, _ := rdb.Keys(context.Background(), prefix+"*").Result(); len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	}()
	svc := pricing.New(db, pricing.Options{Cache: rediscache.New(rdb), Prefix: prefix})
	h, err := api.New(api.Config{Catalog: db, Pricing: svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	root, stop, err := listen(h)
	if err != nil {
		return err
	}
	defer stop()
	client := &http.Client{Timeout: 30 * time.Second}
	get := func(u string) (time.Duration, error) {
		t0 := time.Now()
		res, err := client.Get(u)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("%s: status %d", u, res.StatusCode)
		}
		return time.Since(t0), nil
	}
	r := rand.New(rand.NewPCG(3, 4))
	name := func() string {
		i := r.IntN(spec.Cards)
		return spec.CardAt(spec.SetAt(i%spec.Sets()), 0, i).Name
	}
	queries := []func() url.Values{
		func() url.Values { return url.Values{"q": {name()}} },
		func() url.Values { return url.Values{"q": {name()[:5]}} },
		func() url.Values {
			n := []rune(name())
			k := 1 + r.IntN(len(n)-2)
			return url.Values{"q": {string(n[:k]) + string(n[k+1:])}}
		},
		func() url.Values { return url.Values{"q": {name()}, "rarity": {"Rare"}, "max_price": {"10000"}} },
	}
	var lat []time.Duration
	for i := 0; i < 400; i++ {
		v := queries[i%len(queries)]()
		v.Set("limit", "20")
		d, err := get(root + "/api/search?" + v.Encode())
		if err != nil {
			return err
		}
		lat = append(lat, d)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	sr := result{lat: lat}
	fmt.Printf("\n== search: %d sequential uncached requests (exact, prefix, typo, filtered) over %d cards\n", len(lat), spec.Cards)
	fmt.Printf("%-34s %10s %9.2f %9.2f %9.2f   target p95 ≤ 30 ms: %s\n", "GET /api/search", "", sr.p(50), sr.p(95), sr.p(99), verdict(sr.p(95) <= 30))

	t0 := time.Now()
	rep, err := svc.RefreshMarket(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("\n== market job: %d priced cards refreshed into Redis in %s\n", rep.Cards, time.Since(t0).Round(time.Millisecond))
	lat = lat[:0]
	tcgs := []string{"all", "pokemon", "mtg"}
	for i := 0; i < 500; i++ {
		v := url.Values{"tcg": {tcgs[i%3]}, "period": {pricing.Periods[i%3]}, "limit": {"50"}}
		d, err := get(root + "/api/market/movers?" + v.Encode())
		if err != nil {
			return err
		}
		lat = append(lat, d)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	mr := result{lat: lat}
	fmt.Printf("%-34s %10s %9.2f %9.2f %9.2f   target p95 ≤ 10 ms: %s\n", "GET /api/market/movers (Redis)", "", mr.p(50), mr.p(95), mr.p(99), verdict(mr.p(95) <= 10))
	return nil
}

func envStr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
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

// liveCards serves the card route the way it was before the stored
// documents (the detail built per request), and the history route the way
// it was before price_years (read from price_points), for the same-run
// comparison.
type liveCards struct{ *postgres.DB }

// CardDocument builds the card live and encodes it.
func (l liveCards) CardDocument(ctx context.Context, id int64) ([]byte, error) {
	c, err := l.Card(ctx, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(c)
}

// History reads the window from price_points.
func (l liveCards) History(ctx context.Context, q catalog.HistoryQuery) ([]catalog.HistoryPoint, error) {
	return l.HistoryFromPoints(ctx, q)
}

// historyAB times the history read from price_years against the same read
// from price_points, alternating call by call on the same random cards (one
// client, no HTTP), so machine load falls on both alike.
func historyAB(ctx context.Context, db *postgres.DB, firstCard, priced int64) error {
	const n = 1500
	now := time.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	fmt.Printf("\n== history read, price_years vs price_points, alternating, %d calls each, 1 client\n", n)
	for _, days := range []int{90, 365} {
		r := rand.New(rand.NewPCG(7, uint64(days)))
		var lat [2][]float64
		for i := 0; i < n; i++ {
			q := catalog.HistoryQuery{CardID: firstCard + r.Int64N(priced), Region: catalog.RegionEU, Days: days, Today: today}
			for k, read := range []func(context.Context, catalog.HistoryQuery) ([]catalog.HistoryPoint, error){db.History, db.HistoryFromPoints} {
				t := time.Now()
				if _, err := read(ctx, q); err != nil {
					return err
				}
				lat[k] = append(lat[k], float64(time.Since(t).Microseconds())/1000)
			}
		}
		p := func(l []float64, q float64) float64 { sort.Float64s(l); return l[int(q*float64(len(l)-1))] }
		fmt.Printf("%3dd  price_years p50 %.2f p95 %.2f ms   price_points p50 %.2f p95 %.2f ms\n", days,
			p(lat[0], .5), p(lat[0], .95), p(lat[1], .5), p(lat[1], .95))
	}
	return nil
}
