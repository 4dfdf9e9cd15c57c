package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/pricing"
)

// SourceStats lists each price source with its series, cards, currencies,
// regions and newest point, optionally for one source and some finishes.
func (db *DB) SourceStats(ctx context.Context, source string, finishes []string, limit, offset int) (pricing.Page[pricing.SourceStat], error) {
	p := pricing.Page[pricing.SourceStat]{Limit: limit, Offset: offset, Items: []pricing.SourceStat{}}
	rows, err := db.Pool.Query(ctx, `SELECT s.source, count(*), count(DISTINCT v.card_id),
		array_agg(DISTINCT s.currency ORDER BY s.currency), array_agg(DISTINCT s.region ORDER BY s.region),
		to_char(max(l.as_of), 'YYYY-MM-DD'), count(*) OVER ()
		FROM price_series s LEFT JOIN variants v ON v.id = s.variant_id LEFT JOIN price_latest l ON l.series_id = s.id
		WHERE ($1 = '' OR s.source = $1) AND ($2::text[] IS NULL OR v.finish = ANY($2))
		GROUP BY s.source ORDER BY count(*) DESC, s.source LIMIT $3 OFFSET $4`, source, finishes, limit, offset)
	if err != nil {
		return p, wrap("source stats", err, "")
	}
	p.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.SourceStat, error) {
		var s pricing.SourceStat
		err := r.Scan(&s.Source, &s.Series, &s.Cards, &s.Currencies, &s.Regions, &s.LastUpdate, &p.Total)
		return s, err
	})
	if p.Items == nil {
		p.Items = []pricing.SourceStat{}
	}
	return p, wrap("source stats", err, "")
}

// WriteRates upserts exchange rates (units per EUR).
func (db *DB) WriteRates(ctx context.Context, r pricing.Rates) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		for cur, per := range r.PerEUR {
			if _, err := tx.Exec(ctx, `INSERT INTO currency_rates (currency, per_eur, as_of, source) VALUES ($1, $2, $3, $4)
				ON CONFLICT (currency) DO UPDATE SET per_eur = EXCLUDED.per_eur, as_of = EXCLUDED.as_of, source = EXCLUDED.source`,
				cur, per, r.AsOf, r.Source); err != nil {
				return fmt.Errorf("rate %s: %w", cur, err)
			}
		}
		return nil
	})
	return wrap("write rates", err, "")
}
