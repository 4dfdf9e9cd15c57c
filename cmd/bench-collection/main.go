// Command bench-collection measures the collection's two heavy paths in a
// scratch schema of the toolbox's Postgres: the portfolio value of a
// 10,000-entry collection (p50/p95 of repeated calls through the service,
// target p95 ≤ 50 ms), and a 100,000-price import (WritePrices) with and
// without 1,000,000 armed price alerts, i.e. what the set-based alert
// evaluation adds to the price write path, with how many alerts fired.
// Run it with `make bench-collection` (flags scale it down).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/scratch"
)

func main() {
	cards := flag.Int("cards", 100_000, "cards in the synthetic catalogue (one variant and one EUR series each)")
	entries := flag.Int("entries", 10_000, "collection entries of the valued user")
	alerts := flag.Int("alerts", 1_000_000, "armed price alerts (10 per card at most per user)")
	prices := flag.Int("prices", 100_000, "prices written per import")
	calls := flag.Int("calls", 50, "portfolio value calls")
	flag.Parse()
	if err := run(*cards, *entries, *alerts, *prices, *calls); err != nil {
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

const schema = "bench_collection"

func run(cards, entries, alerts, prices, calls int) error {
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
	today := time.Now().UTC().Truncate(24 * time.Hour)
	nUsers := 1000
	t0 := time.Now()
	for _, q := range []string{
		`INSERT INTO games (id, slug, name) VALUES (1, 'pokemon', 'Pokémon')`,
		`INSERT INTO sets (id, game_id, code, name) VALUES (1, 1, 'bench', 'Bench Set')`,
		`INSERT INTO cards (id, set_id, game_id, name, collector_number) SELECT i, 1, 1, 'Card ' || i, i::text FROM generate_series(1, $1::int) i`,
		`INSERT INTO printings (id, card_id, language, print_run, collector_number) SELECT i, i, 'en', 'unlimited', i::text FROM generate_series(1, $1::int) i`,
		`INSERT INTO variants (id, printing_id, card_id, finish, variant_label) SELECT i, i, i, 'normal', 'standard' FROM generate_series(1, $1::int) i`,
		`INSERT INTO price_series (id, variant_id, source, region, price_type, currency) SELECT i, i, 'cardmarket', 'eu', 'trend', 'EUR' FROM generate_series(1, $1::int) i`,
		`INSERT INTO price_points (series_id, as_of, amount_minor) SELECT i, $2::date - d, 1000 + (i * 7 + d * 13) % 9000
		 FROM generate_series(1, $1::int) i, generate_series(0, 7) d`,
		`INSERT INTO price_latest (series_id, as_of, amount_minor) SELECT series_id, as_of, amount_minor FROM price_points WHERE as_of = $2::date AND series_id <= $1::int`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, cards)
		}
		if strings.Contains(q, "$2") {
			args = append(args, today)
		}
		if _, err := db.Pool.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO users (id, username, email, password_hash)
		SELECT i, 'bench' || i, 'bench' || i || '@example.com', 'x' FROM generate_series(1, $1::int) i`, nUsers); err != nil {
		return err
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO collection_entries (user_id, card_id, quantity, condition)
		SELECT 1, 1 + (i * 7919) % $2, 1 + i % 3, 'NM' FROM generate_series(1, $1::int) i`, entries, cards); err != nil {
		return err
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE`); err != nil {
		return err
	}
	fmt.Printf("seeded %d cards, %d price points, %d entries in %s\n", cards, cards*8, entries, time.Since(t0).Round(time.Millisecond))

	svc := collection.NewService(db, func() time.Time { return today.Add(12 * time.Hour) })
	var lat []time.Duration
	var last collection.Portfolio
	for i := 0; i < calls; i++ {
		t := time.Now()
		p, err := svc.PortfolioValue(ctx, 1, collection.EUR)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
		last = p
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p95 := lat[(len(lat)*95+99)/100-1]
	fmt.Printf("portfolio value, %d entries (%d copies, total %.2f EUR): p50 %s  p95 %s  (target p95 ≤ 50ms: %s)\n",
		entries, last.CardCount, last.TotalValue, lat[len(lat)/2].Round(time.Microsecond), p95.Round(time.Microsecond), verdict(p95 <= 50*time.Millisecond))

	write := func(day time.Time, amount func(i int) int64) (time.Duration, error) {
		ps := make([]catalog.ImportPrice, prices)
		for i := range ps {
			v := int64(1 + (i*104729)%cards)
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
	fmt.Printf("import of %d prices, no alerts: %s\n", prices, base1.Round(time.Millisecond))

	t0 = time.Now()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO price_alerts (user_id, card_id, target_minor, condition, currency)
		SELECT 1 + i % $3, 1 + (i / $3) % $2, 100 + (i * 31) % 20000, CASE WHEN i % 2 = 0 THEN 'below' ELSE 'above' END, 'EUR'
		FROM generate_series(0, $1::int - 1) i ON CONFLICT DO NOTHING`, alerts, cards, nUsers); err != nil {
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
	fmt.Printf("import of %d prices against %d armed alerts: %s (%s more than without alerts); %d alerts fired, %d notifications\n",
		prices, armed, withAlerts.Round(time.Millisecond), (withAlerts - base1).Round(time.Millisecond), fired, notes)
	return nil
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
