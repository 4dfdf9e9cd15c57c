package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"
)

// priceYearsOf is the price_years rows of the (series_id, year) keys that
// the query `keys` returns, rebuilt from price_points' non-outlier points.
const priceYearsOf = `
	SELECT p.series_id, k.year, array_agg(p.as_of ORDER BY p.as_of), array_agg(p.amount_minor ORDER BY p.as_of)
	FROM (%s) k JOIN price_points p ON p.series_id = k.series_id
		AND p.as_of >= make_date(k.year, 1, 1) AND p.as_of < make_date(k.year + 1, 1, 1)
	WHERE NOT p.is_outlier
	GROUP BY p.series_id, k.year`

// refreshPriceYears rebuilds the price_years rows of the (series, year)
// pairs that the staged points touched: a year whose points all became
// outliers loses its row. Concurrent writers of one series are already
// serialised by the price_series row lock upsertSeries takes, so each
// statement here sees the other's committed points.
func refreshPriceYears(ctx context.Context, tx pgx.Tx) error {
	keys := `SELECT DISTINCT series_id, extract(year FROM as_of)::int AS year FROM stage_points`
	_, err := tx.Exec(ctx, `
		DELETE FROM price_years y USING (`+keys+`) k WHERE y.series_id = k.series_id AND y.year = k.year;
		INSERT INTO price_years (series_id, year, days, amounts) `+fmt.Sprintf(priceYearsOf, keys)+`
		ON CONFLICT (series_id, year) DO UPDATE SET days = EXCLUDED.days, amounts = EXCLUDED.amounts`)
	if err != nil {
		return fmt.Errorf("price years: %w", err)
	}
	return nil
}

// fillPriceYears builds the price_years rows of series ids [from, to) and
// calendar years [firstYear, lastYear] after a bulk load: one set-based
// statement per (series range, year), `workers` at once. A statement reads
// one year partition in primary-key order, so it aggregates without a sort.
func (db *DB) fillPriceYears(ctx context.Context, from, to int64, firstYear, lastYear, workers int) error {
	workers = max(workers, 1)
	per := (to - from + int64(workers) - 1) / int64(workers)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for y := firstYear; y <= lastYear; y++ {
		for lo := from; lo < to; lo += per {
			hi := min(lo+per, to)
			g.Go(func() error {
				_, err := db.Pool.Exec(gctx, `
					INSERT INTO price_years (series_id, year, days, amounts)
					SELECT series_id, $3::int::smallint, array_agg(as_of ORDER BY as_of), array_agg(amount_minor ORDER BY as_of)
					FROM price_points WHERE series_id >= $1 AND series_id < $2 AND NOT is_outlier
						AND as_of >= make_date($3::int, 1, 1) AND as_of < make_date($3::int + 1, 1, 1)
					GROUP BY series_id
					ON CONFLICT (series_id, year) DO UPDATE SET days = EXCLUDED.days, amounts = EXCLUDED.amounts`, lo, hi, y)
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("price years: %w", err)
	}
	if _, err := db.Pool.Exec(ctx, `ANALYZE price_years`); err != nil {
		return fmt.Errorf("price years: analyze: %w", err)
	}
	return nil
}
