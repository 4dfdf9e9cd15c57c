package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/generator"
)

// requireYearsMatch checks price_years row for row against a fresh
// aggregate of price_points, and the history answer of every card, region
// and window against the answer read straight from price_points.
func requireYearsMatch(t *testing.T, f fixture) {
	t.Helper()
	var diff int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `
		WITH fresh AS (
			SELECT series_id, extract(year FROM as_of)::smallint AS year,
			       array_agg(as_of ORDER BY as_of) AS days, array_agg(amount_minor ORDER BY as_of) AS amounts
			FROM price_points WHERE NOT is_outlier GROUP BY 1, 2)
		SELECT count(*) FROM ((TABLE price_years EXCEPT TABLE fresh) UNION ALL (TABLE fresh EXCEPT TABLE price_years)) d`).Scan(&diff))
	require.Zero(t, diff, "price_years differs from price_points")

	rows, err := f.db.Pool.Query(f.ctx, `SELECT c.id, coalesce(v.id, 0) FROM cards c LEFT JOIN variants v ON v.card_id = c.id ORDER BY 1, 2`)
	require.NoError(t, err)
	type cv struct{ card, variant int64 }
	var all []cv
	for rows.Next() {
		var x cv
		require.NoError(t, rows.Scan(&x.card, &x.variant))
		all = append(all, x, cv{x.card, 0})
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, all)
	nonEmpty := 0
	for _, x := range all {
		for _, region := range []string{catalog.RegionEU, catalog.RegionUS, catalog.RegionGraded} {
			for _, days := range []int{1, 7, 90, 365, 400, 3650} {
				q := catalog.HistoryQuery{CardID: x.card, VariantID: x.variant, Region: region, Days: days, Today: today}
				want, err := f.db.HistoryFromPoints(f.ctx, q)
				require.NoError(t, err)
				got, err := f.db.History(f.ctx, q)
				require.NoError(t, err)
				require.Equal(t, want, got, "card %d variant %d %s %d days", x.card, x.variant, region, days)
				if len(got) > 0 {
					nonEmpty++
				}
			}
		}
	}
	require.NotZero(t, nonEmpty)
}

// TestPriceYearsFollowImports checks the history read model after an
// import spanning a year boundary, a re-import that changes amounts, flags
// outliers (a whole year of one series among them) and adds currencies.
func TestPriceYearsFollowImports(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	cm := catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefCardmarket, ID: "273699"}}
	pc := catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefPricecharting, ID: "715593"}}
	pika := catalog.PriceRef{Card: &catalog.CardKey{Game: "pokemon", Set: "BASE1", Number: "58/102", Name: "pikachu"}}
	var in []catalog.ImportPrice
	for d := 0; d < 420; d += 3 { // 2025-04 .. 2026-06: two calendar years
		in = append(in,
			price(cm, catalog.RegionEU, "trend", int64(30000+d), d, d%50 == 0),
			price(cm, catalog.RegionEU, "low", int64(11000+d), d, false),
			price(pika, catalog.RegionUS, "raw_us", int64(150+d), d, d%7 == 0))
		g := price(pc, catalog.RegionGraded, "graded", int64(3000000+d), d, false)
		g.GradingCompany, g.Grade = "psa", "10"
		g9 := g
		g9.Grade, g9.AmountMinor = "9", int64(1000000+d)
		in = append(in, g, g9)
	}
	_, err := f.db.WritePrices(f.ctx, in)
	require.NoError(t, err)
	requireYearsMatch(t, f)

	// re-import: changed amounts, new outliers, every 2025 "low" point an
	// outlier (the year's row must go), and a USD series beside the EUR one
	var again []catalog.ImportPrice
	for d := 0; d < 420; d += 6 {
		usd := price(cm, catalog.RegionEU, "trend", int64(33000+d), d, false)
		usd.Source, usd.Currency = "tcgplayer", "USD"
		again = append(again, price(cm, catalog.RegionEU, "trend", int64(40000+d), d, d%12 == 0), usd)
	}
	for d := 0; d < 420; d += 3 {
		low := price(cm, catalog.RegionEU, "low", int64(12000+d), d, false)
		low.IsOutlier = low.AsOf.Year() == 2025
		again = append(again, low)
	}
	_, err = f.db.WritePrices(f.ctx, again)
	require.NoError(t, err)
	requireYearsMatch(t, f)
	var lows2025 int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM price_years y JOIN price_series s ON s.id = y.series_id
		WHERE s.price_type = 'low' AND y.year = 2025`).Scan(&lows2025))
	require.Zero(t, lows2025)
}

// TestPriceYearsAfterBulkLoad checks the rows the bulk loader fills.
func TestPriceYearsAfterBulkLoad(t *testing.T) {
	t.Parallel()
	f := setup(t)
	spec := generator.Spec{Seed: 5, Games: 1, SetsPerGame: 2, Cards: 12, VariantsPerCard: 2,
		Points: 4_000, Days: 400, Today: today}
	_, err := f.db.LoadSynthetic(f.ctx, spec, 3, nil)
	require.NoError(t, err)
	requireYearsMatch(t, f)
}
