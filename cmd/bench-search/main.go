// Command bench-search measures GET /api/search over the demo catalogue,
// the real catalogue imported from CSM_DATASETS (when given) and
// CSM_BENCH_SEARCH_CARDS synthetic cards (default 500k) on a database of
// its own: exact names, prefixes, typos (one letter dropped) and filtered
// queries, drawn from the stored real and synthetic names, sequential
// requests over loopback, nothing cached, and prints p50/p95/p99 against
// the ≤ 30 ms p95 target. Run it with `make bench-search`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/cmd/internal/benchserver"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/generator"
	"github.com/collectorstash/csm/importer"
	"github.com/collectorstash/csm/importer/fab"
	"github.com/collectorstash/csm/importer/lorcana"
	"github.com/collectorstash/csm/importer/mtg"
	"github.com/collectorstash/csm/importer/onepiece"
	"github.com/collectorstash/csm/importer/pokemon"
	"github.com/collectorstash/csm/importer/yugioh"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
	"github.com/collectorstash/csm/pricing"
	"github.com/collectorstash/csm/rediscache"
)

// targetP95 is the search latency target.
const targetP95 = 30 * time.Millisecond

func main() {
	cards := flag.Int("cards", int(envInt("CSM_BENCH_SEARCH_CARDS", 500_000)), "synthetic cards")
	queries := flag.Int("queries", 2000, "search requests")
	keep := flag.Bool("keep", false, "reuse an existing bench database (skip the load)")
	datasets := flag.String("datasets", os.Getenv("CSM_DATASETS"), "datasets folder whose real games are imported first (empty: demo only)")
	market := flag.Bool("market", true, "also run the market job and measure /api/market/movers")
	flag.Parse()
	if err := run(*cards, *queries, *keep, *market, *datasets); err != nil {
		fmt.Fprintln(os.Stderr, "bench-search:", err)
		os.Exit(1)
	}
}

func envInt(k string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(k), 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}

func run(cards, queries int, keep, market bool, datasets string) error {
	ctx := context.Background()
	base := benchserver.DatabaseURL()
	benchURL, err := scratch.Reuse(base, "csm_bench_search")
	if err == nil && !keep {
		benchURL, err = scratch.Database(ctx, base, "csm_bench_search")
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
	today := time.Now().UTC()
	// a quarter of the cards priced: 30 days of one series each
	spec := generator.Spec{Seed: 7, Games: 4, SetsPerGame: 100, Cards: cards, VariantsPerCard: 1,
		Points: int64(cards/4) * 30, Days: 30, Today: today}
	if !keep {
		start := time.Now()
		if _, err := demo.Load(ctx, db, db, demo.Options{Today: today, Days: 30}); err != nil {
			return err
		}
		if datasets != "" {
			if err := importReal(ctx, db, datasets); err != nil {
				return err
			}
		}
		if _, err := db.LoadSynthetic(ctx, spec, 2, nil); err != nil {
			return err
		}
		if _, err := db.RefreshSummaries(ctx, today); err != nil {
			return err
		}
		// as autovacuum leaves a settled table: statistics and visibility map
		if _, err := db.Pool.Exec(ctx, `VACUUM (ANALYZE) cards, sets, card_price_summary`); err != nil {
			return err
		}
		fmt.Printf("loaded demo + %d synthetic cards (%d priced) in %s\n", cards, spec.Series(), time.Since(start).Round(time.Second))
	}
	var total int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM cards`).Scan(&total); err != nil {
		return err
	}
	rdb := redis.NewClient(&redis.Options{Addr: benchserver.RedisAddr()})
	defer rdb.Close()
	svc := pricing.New(db, pricing.Options{Cache: rediscache.New(rdb), Prefix: "bench:search:pricing:"})
	h, err := api.New(api.Config{Catalog: db, Pricing: svc, Log: benchserver.Quiet()})
	if err != nil {
		return err
	}
	u, stop, err := benchserver.Listen(h)
	if err != nil {
		return err
	}
	defer stop()
	root := u + "/api/search?"

	r := rand.New(rand.NewPCG(1, 2))
	real, err := realNames(ctx, db)
	if err != nil {
		return err
	}
	name := func() string {
		i := r.IntN(cards)
		st := spec.SetAt(i % spec.Sets())
		return spec.CardAt(st, 0, i).Name
	}
	kinds := []struct {
		label string
		q     func() url.Values
	}{
		{"exact (real name)", func() url.Values { return url.Values{"q": {real[r.IntN(len(real))]}} }},
		{"exact (synthetic)", func() url.Values { return url.Values{"q": {name()}} }},
		{"prefix", func() url.Values { n := name(); return url.Values{"q": {n[:5]}} }},
		{"typo", func() url.Values {
			n := []rune(real[r.IntN(len(real))])
			k := 1 + r.IntN(len(n)-2)
			return url.Values{"q": {string(n[:k]) + string(n[k+1:])}}
		}},
		{"filtered", func() url.Values {
			return url.Values{"q": {real[r.IntN(len(real))]}, "tcg_slug": {"pokemon"}, "max_price": {"10000"}}
		}},
	}
	client := &http.Client{Timeout: 10 * time.Second}
	fmt.Printf("\n== GET /api/search over %d cards (%d distinct real names), %d sequential requests, loopback, uncached\n", total, len(real), queries)
	fmt.Printf("%-20s %8s %9s %9s %9s\n", "query", "n", "p50 ms", "p95 ms", "p99 ms")
	var all []time.Duration
	per := queries / len(kinds)
	for _, k := range kinds {
		var lat []time.Duration
		for i := 0; i < per; i++ {
			v := k.q()
			v.Set("limit", "20")
			t0 := time.Now()
			res, err := client.Get(root + v.Encode())
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("%s: status %d", v.Encode(), res.StatusCode)
			}
			lat = append(lat, time.Since(t0))
		}
		all = append(all, lat...)
		fmt.Printf("%-20s %8d %9.2f %9.2f %9.2f\n", k.label, len(lat), p(lat, 50), p(lat, 95), p(lat, 99))
	}
	p95 := p(all, 95)
	verdict := "MET"
	if p95 > float64(targetP95.Milliseconds()) {
		verdict = "MISSED"
	}
	fmt.Printf("%-20s %8d %9.2f %9.2f %9.2f   target p95 ≤ %d ms: %s\n", "all", len(all), p(all, 50), p95, p(all, 99), targetP95.Milliseconds(), verdict)

	if !market {
		return nil
	}
	// movers: the market job, then the routes that answer from Redis
	t0 := time.Now()
	rep, err := svc.RefreshMarket(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("\n== market job: %d priced cards refreshed into Redis in %s\n", rep.Cards, time.Since(t0).Round(time.Millisecond))
	var mv []time.Duration
	tcgs := []string{"all", "pokemon", "mtg"}
	for i := 0; i < 500; i++ {
		v := url.Values{"tcg": {tcgs[i%3]}, "period": {pricing.Periods[i%3]}, "limit": {"50"}}
		t0 := time.Now()
		res, err := client.Get(u + "/api/market/movers?" + v.Encode())
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("movers: status %d", res.StatusCode)
		}
		mv = append(mv, time.Since(t0))
	}
	verdict = "MET"
	if p(mv, 95) > 10 {
		verdict = "MISSED"
	}
	fmt.Printf("%-20s %8d %9.2f %9.2f %9.2f   target ≤ 10 ms: %s\n", "movers (Redis)", len(mv), p(mv, 50), p(mv, 95), p(mv, 99), verdict)
	keys, _ := rdb.Keys(ctx, "bench:search:pricing:*").Result()
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
	return nil
}

// realGames are the datasets' game folders, as `csm import all` reads them.
var realGames = []struct {
	dir   string
	parse func(string) (catalog.GameInfo, []catalog.ImportSet, error)
}{
	{"pokemon", func(p string) (catalog.GameInfo, []catalog.ImportSet, error) {
		return pokemon.Parse(p, pokemon.Options{})
	}},
	{"mtg", mtg.Parse},
	{"yugioh", func(p string) (catalog.GameInfo, []catalog.ImportSet, error) {
		return yugioh.Parse(p, yugioh.Options{})
	}},
	{"fab/csvs/english", fab.Parse},
	{"lorcana/data", lorcana.Parse},
	{"onepiece/data", onepiece.Parse},
}

// importReal imports every real game found under root (the full imported
// catalogue of the search target).
func importReal(ctx context.Context, db *postgres.DB, root string) error {
	for _, g := range realGames {
		dir := filepath.Join(root, g.dir)
		if _, err := os.Stat(dir); err != nil {
			fmt.Printf("datasets: %s not found, skipped\n", dir)
			continue
		}
		info, sets, err := g.parse(dir)
		if err != nil {
			return fmt.Errorf("parse %s: %w", dir, err)
		}
		rep, err := importer.Load(ctx, db, info, sets, nil)
		if err != nil {
			return fmt.Errorf("import %s: %w", dir, err)
		}
		fmt.Printf("datasets: %s: %d cards\n", info.Slug, rep.Cards)
	}
	return nil
}

// realNames samples up to 2,000 distinct names of 4+ letters from the
// non-synthetic games (demo and imported), so queries vary.
func realNames(ctx context.Context, db *postgres.DB) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT name FROM (SELECT DISTINCT c.name FROM cards c JOIN games g ON g.id = c.game_id
		WHERE g.slug NOT LIKE 'synthetic-%' AND char_length(c.name) >= 4) n ORDER BY md5(name) LIMIT 2000`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err == nil && len(names) == 0 {
		err = fmt.Errorf("no real card names loaded")
	}
	return names, err
}

func p(lat []time.Duration, q float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[int(float64(len(s)-1)*q/100)].Microseconds()) / 1000
}
