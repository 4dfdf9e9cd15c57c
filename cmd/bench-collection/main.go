// Command bench-collection measures the collection's two heavy paths in a
// scratch schema of the toolbox's Postgres: the portfolio value of a
// 10,000-entry collection over a catalogue with a realistic price history
// (p50/p95 of repeated uncached calls through the service, target p95 ≤
// 50 ms; with -before-calls, the per-entry query it replaced is timed on
// the same data, alternating), and a 100,000-price import (WritePrices)
// with and without 1,000,000 armed price alerts, i.e. what the set-based
// alert evaluation adds to the price write path, with how many alerts
// fired. Run it with `make bench-collection` (flags scale it down).
package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/collectorstash/csm/cmd/internal/sysload"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
)

type config struct {
	cards, days, entries, alerts, prices, calls, beforeCalls int
	keep                                                     bool
}

func main() {
	var c config
	flag.IntVar(&c.cards, "cards", 100_000, "cards in the synthetic catalogue (one variant each, a second on every 10th; EUR trend, EUR low and USD market series per variant, a PSA 10 series on every 20th card)")
	flag.IntVar(&c.days, "days", 90, "daily price points per series (history depth; 1% flagged outliers)")
	flag.IntVar(&c.entries, "entries", 10_000, "collection entries of the valued user (a third with a variant, 2% graded)")
	flag.IntVar(&c.alerts, "alerts", 1_000_000, "armed price alerts (10 per card at most per user)")
	flag.IntVar(&c.prices, "prices", 100_000, "prices written per import")
	flag.IntVar(&c.calls, "calls", 50, "portfolio value calls")
	flag.IntVar(&c.beforeCalls, "before-calls", 10, "calls of the per-entry portfolio query this design replaced, alternating with the service's (0: skip)")
	flag.BoolVar(&c.keep, "keep", false, "keep the scratch schema (CSM_BENCH_SCHEMA, default bench_collection) for EXPLAIN")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench-collection:", err)
		os.Exit(1)
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// schema is the scratch schema's name (CSM_BENCH_SCHEMA, to run two at once).
var schema = env("CSM_BENCH_SCHEMA", "bench_collection")

// seedSQL builds the catalogue, its price history and the collection; $1
// cards, $2 today, $3 days of history, $4 entries (filled in as literals).
var seedSQL = []string{
	`INSERT INTO games (id, slug, name) VALUES (1, 'pokemon', 'Pokémon'), (2, 'mtg', 'Magic: The Gathering')`,
	`INSERT INTO sets (id, game_id, code, name) VALUES (1, 1, 'bench', 'Bench Set'), (2, 2, 'bmtg', 'Bench MTG')`,
	`INSERT INTO cards (id, set_id, game_id, name, collector_number)
	 SELECT i, 1 + i % 2, 1 + i % 2, 'Card ' || i, i::text FROM generate_series(1, $1::int) i`,
	`INSERT INTO printings (id, card_id, language, print_run, collector_number) SELECT i, i, 'en', 'unlimited', i::text FROM generate_series(1, $1::int) i`,
	`INSERT INTO variants (id, printing_id, card_id, finish, variant_label, position)
	 SELECT i, i, i, 'normal', 'standard', 0 FROM generate_series(1, $1::int) i
	 UNION ALL SELECT $1::int + i, i, i, 'reverse_holofoil', 'reverse', 1 FROM generate_series(10, $1::int, 10) i`,
	`INSERT INTO price_series (variant_id, source, region, price_type, grading_company, grade, currency)
	 SELECT v.id, k.source, k.region, k.price_type, k.company, k.grade, k.currency FROM variants v
	 CROSS JOIN (VALUES ('cardmarket', 'eu', 'trend', '', '', 'EUR'), ('cardmarket', 'eu', 'low', '', '', 'EUR'),
	                    ('tcgplayer', 'us', 'market', '', '', 'USD'), ('ebay', 'graded', 'sold', 'psa', '10', 'EUR')) k(source, region, price_type, company, grade, currency)
	 WHERE k.company = '' OR (v.position = 0 AND v.card_id % 20 = 0)`,
	`INSERT INTO price_points (series_id, as_of, amount_minor, is_outlier)
	 SELECT s.id, $2::date - d, CASE WHEN s.grading_company <> '' THEN 20000 ELSE 0 END + 1000 + (s.id * 7 + d * 13) % 9000,
	        (s.id + d) % 100 = 0
	 FROM price_series s, generate_series(0, $3::int - 1) d`,
	`INSERT INTO price_latest (series_id, as_of, amount_minor)
	 SELECT DISTINCT ON (series_id) series_id, as_of, amount_minor FROM price_points WHERE NOT is_outlier
	 ORDER BY series_id, as_of DESC`,
	`INSERT INTO users (id, username, email, password_hash)
	 SELECT i, 'bench' || i, 'bench' || i || '@example.com', 'x' FROM generate_series(1, 1000) i`,
	`INSERT INTO collection_entries (user_id, card_id, variant_id, quantity, condition, graded, grading_company, grade)
	 SELECT 1, c, CASE WHEN i % 3 = 0 THEN c END, 1 + i % 3, 'NM', i % 50 = 0, CASE WHEN i % 50 = 0 THEN 'PSA' END,
	        CASE WHEN i % 50 = 0 THEN 10 END
	 FROM generate_series(1, $4::int) i, LATERAL (SELECT 1 + (i * 7919) % $1 AS c) x`,
}

func run(c config) error {
	ctx := context.Background()
	base := env("CSM_DATABASE_URL", "postgres://csm:csm@127.0.0.1:55432/csm?sslmode=disable")
	su, drop, err := scratch.Schema(ctx, base, schema)
	if err != nil {
		return err
	}
	if !c.keep {
		defer drop()
	}
	db, err := postgres.Open(ctx, su)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	t0 := time.Now()
	fill := strings.NewReplacer("$1", strconv.Itoa(c.cards), "$2", "'"+today.Format(time.DateOnly)+"'",
		"$3", strconv.Itoa(c.days), "$4", strconv.Itoa(c.entries))
	for _, q := range seedSQL {
		if _, err := db.Pool.Exec(ctx, fill.Replace(q)); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	if err := db.RefreshPortfolioPrices(ctx); err != nil {
		return err
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE`); err != nil {
		return err
	}
	var series, points int64
	_ = db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM price_series), (SELECT count(*) FROM price_points)`).Scan(&series, &points)
	fmt.Printf("seeded %d cards, %d series, %d price points (%d days each), %d entries in %s\n",
		c.cards, series, points, c.days, c.entries, time.Since(t0).Round(time.Millisecond))

	// the portfolio calls share one connection, so its backend's CPU is theirs
	sep := "?"
	if strings.Contains(su, "?") {
		sep = "&"
	}
	one, err := postgres.Open(ctx, su+sep+"pool_max_conns=1")
	if err != nil {
		return err
	}
	defer one.Close()
	if err := portfolio(ctx, one, c, today); err != nil {
		return err
	}
	return alertImport(ctx, db, c, today)
}

// portfolio times the service's portfolio value (no cache at any level)
// and, alternating with it, the portfolio_prices probe query it replaced
// and the per-entry query before that.
func portfolio(ctx context.Context, db *postgres.DB, c config, today time.Time) error {
	now := today.Add(12 * time.Hour)
	svc := collection.NewService(db, func() time.Time { return now })
	var lat, probe, old []time.Duration
	var cpuNew, cpuProbe, cpuOld time.Duration
	cpu := newBackendCPU(ctx, db)
	var p, b collection.Portfolio
	for i := 0; i < c.calls; i++ {
		err := cpu.timed(&lat, &cpuNew, func() (err error) {
			p, err = svc.PortfolioValue(ctx, 1, collection.EUR)
			return err
		})
		if err != nil {
			return err
		}
		if err := cpu.timed(&probe, &cpuProbe, func() (err error) {
			b, err = probePortfolio(ctx, db, 1, collection.EUR, now)
			return err
		}); err != nil {
			return err
		}
		if b.TotalMinor != p.TotalMinor || b.Ago24hMinor != p.Ago24hMinor || b.Ago7dMinor != p.Ago7dMinor ||
			b.PricedCount != p.PricedCount || b.CardCount != p.CardCount {
			return fmt.Errorf("portfolio differs from the portfolio_prices probe query: %+v vs %+v", p, b)
		}
		if i < c.beforeCalls {
			if err := cpu.timed(&old, &cpuOld, func() (err error) {
				b, err = beforePortfolio(ctx, db, 1, collection.EUR, now)
				return err
			}); err != nil {
				return err
			}
			if b.TotalMinor != p.TotalMinor || b.Ago24hMinor != p.Ago24hMinor || b.Ago7dMinor != p.Ago7dMinor || b.PricedCount != p.PricedCount {
				return fmt.Errorf("portfolio differs from the per-entry query: %+v vs %+v", p, b)
			}
		}
	}
	last := p
	fmt.Printf("portfolio value, %d entries (%d copies, %d priced, total %.2f EUR, 24h %+.2f, 7d %+.2f), uncached, load %s:\n",
		c.entries, last.CardCount, last.PricedCount, last.TotalValue, last.Change24h, last.Change7d, sysload.Load1())
	p50, p95 := quantiles(lat)
	fmt.Printf("  summary query (this code): p50 %s  p95 %s  (target p95 ≤ 50ms: %s)\n", p50, p95, verdict(p95 <= 50*time.Millisecond))
	p50, p95 = quantiles(probe)
	fmt.Printf("  portfolio_prices probe per entry (previous, %d calls, alternating): p50 %s  p95 %s\n", len(probe), p50, p95)
	if len(old) > 0 {
		p50, p95 := quantiles(old)
		fmt.Printf("  per-entry query (before, %d calls): p50 %s  p95 %s\n", len(old), p50, p95)
	}
	if _, ok := cpu.used(); ok {
		per := func(d time.Duration, n int) time.Duration {
			return (d / time.Duration(max(n, 1))).Round(100 * time.Microsecond)
		}
		fmt.Printf("  Postgres backend CPU per call (10 ms ticks, averaged): this code %s, probe %s, per-entry %s\n",
			per(cpuNew, len(lat)), per(cpuProbe, len(probe)), per(cpuOld, len(old)))
	}
	return nil
}

func quantiles(lat []time.Duration) (p50, p95 time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat[len(lat)/2].Round(time.Microsecond), lat[(len(lat)*95+99)/100-1].Round(time.Microsecond)
}

// alertImport writes 100k prices without and then with 1M armed alerts.
func alertImport(ctx context.Context, db *postgres.DB, c config, today time.Time) error {
	variants := make([]int64, c.prices)
	for i := range variants {
		variants[i] = int64(1 + (i*104729)%c.cards)
	}
	write := func(day time.Time, amount func(i int) int64) (time.Duration, error) {
		ps := make([]catalog.ImportPrice, c.prices)
		for i := range ps {
			v := variants[i]
			ps[i] = catalog.ImportPrice{Ref: catalog.PriceRef{VariantID: v}, Source: "cardmarket", Region: catalog.RegionEU,
				PriceType: "trend", Currency: "EUR", AmountMinor: amount(i), AsOf: day}
		}
		t := time.Now()
		_, err := db.WritePrices(ctx, ps)
		return time.Since(t), err
	}
	base1, err := write(today.AddDate(0, 0, 1), func(i int) int64 { return int64(1000 + i%9000) })
	if err != nil {
		return err
	}
	fmt.Printf("import of %d prices, no alerts: %s (load %s)\n", c.prices, base1.Round(time.Millisecond), sysload.Load1())
	refresh, values, cards, err := portfolioRefresh(ctx, db, variants)
	if err != nil {
		return err
	}
	fmt.Printf("  of which the portfolio_prices refresh of its %d cards about %s, the collection_values refresh of their holders' entries about %s (run again alone, rolled back)\n",
		cards, refresh.Round(time.Millisecond), values.Round(time.Millisecond))

	t0 := time.Now()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO price_alerts (user_id, card_id, target_minor, condition, currency)
		SELECT 1 + i % $3, 1 + (i / $3) % $2, 100 + (i * 31) % 20000, CASE WHEN i % 2 = 0 THEN 'below' ELSE 'above' END, 'EUR'
		FROM generate_series(0, $1::int - 1) i ON CONFLICT DO NOTHING`, c.alerts, c.cards, 1000); err != nil {
		return err
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE price_alerts`); err != nil {
		return err
	}
	var armed int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM price_alerts WHERE triggered_at IS NULL`).Scan(&armed)
	fmt.Printf("armed %d alerts in %s\n", armed, time.Since(t0).Round(time.Millisecond))

	withAlerts, err := write(today.AddDate(0, 0, 2), func(i int) int64 { return int64(1000 + (i*37)%9000) })
	if err != nil {
		return err
	}
	var fired, notes int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM price_alerts WHERE triggered_at IS NOT NULL`).Scan(&fired)
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications`).Scan(&notes)
	fmt.Printf("import of %d prices against %d armed alerts: %s (%s more than without alerts; load %s); %d alerts fired, %d notifications\n",
		c.prices, armed, withAlerts.Round(time.Millisecond), (withAlerts - base1).Round(time.Millisecond), sysload.Load1(), fired, notes)
	return nil
}

// portfolioRefresh times what WritePrices adds to keep portfolio_prices
// and collection_values current: the refresh of the written variants'
// cards in EUR, then of their holders' entries, in a transaction it rolls
// back.
func portfolioRefresh(ctx context.Context, db *postgres.DB, variants []int64) (prices, values time.Duration, cards int, err error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var ids []int64
	t := time.Now()
	err = tx.QueryRow(ctx, `SELECT array_agg(card_id), portfolio_prices_refresh(array_agg(card_id), array_agg('EUR'::text), $2)
		FROM (SELECT DISTINCT card_id FROM variants WHERE id = ANY($1)) k`, variants, collection.MarketPriceTypes).Scan(&ids, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	prices = time.Since(t)
	t = time.Now()
	_, err = tx.Exec(ctx, `SELECT collection_values_refresh_cards($1, '{EUR}', $2)`, ids, collection.MarketPriceTypes)
	return prices, time.Since(t), len(ids), err
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
