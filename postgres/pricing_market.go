package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/pricing"
)

// RefreshSummaries recomputes card_price_summary: per card its headline
// series (ungraded, US before EU, market > raw_us > trend, first variant),
// the latest price, the prices 7/30/90 days before it (from the primary
// key index) and the volatility of daily log returns over each window.
// Rows of cards without a headline any more are deleted.
func (db *DB) RefreshSummaries(ctx context.Context, today time.Time) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			WITH head AS (
				SELECT DISTINCT ON (v.card_id) v.card_id, s.id AS series_id, s.currency, l.amount_minor, l.as_of
				FROM price_series s JOIN variants v ON v.id = s.variant_id JOIN printings p ON p.id = v.printing_id
				JOIN price_latest l ON l.series_id = s.id
				WHERE s.grading_company = '' AND s.price_type <> 'low' AND l.as_of <= $1
				ORDER BY v.card_id, (s.region = 'us') DESC, (s.region = 'eu') DESC,
					CASE s.price_type WHEN 'market' THEN 0 WHEN 'raw_us' THEN 1 WHEN 'trend' THEN 2 ELSE 3 END,
					p.position, p.id, v.position, v.id, s.id),
			rate AS (SELECT (SELECT per_eur FROM currency_rates WHERE currency = 'USD') AS usd)
			INSERT INTO card_price_summary AS cps (card_id, game_id, set_id, series_id, currency, price_minor, as_of,
				p7_minor, p30_minor, p90_minor, vol7, vol30, vol90, usd_minor, updated_at)
			SELECT h.card_id, c.game_id, c.set_id, h.series_id, h.currency, h.amount_minor, h.as_of,
				(SELECT amount_minor FROM price_points pp WHERE pp.series_id = h.series_id AND pp.as_of <= h.as_of - 7 AND NOT pp.is_outlier ORDER BY pp.as_of DESC LIMIT 1),
				(SELECT amount_minor FROM price_points pp WHERE pp.series_id = h.series_id AND pp.as_of <= h.as_of - 30 AND NOT pp.is_outlier ORDER BY pp.as_of DESC LIMIT 1),
				(SELECT amount_minor FROM price_points pp WHERE pp.series_id = h.series_id AND pp.as_of <= h.as_of - 90 AND NOT pp.is_outlier ORDER BY pp.as_of DESC LIMIT 1),
				v.vol7, v.vol30, v.vol90,
				CASE WHEN h.currency = 'USD' THEN h.amount_minor
				     ELSE round(h.amount_minor / nullif((SELECT per_eur FROM currency_rates WHERE currency = h.currency), 0) * (SELECT usd FROM rate))::bigint END,
				now()
			FROM head h JOIN cards c ON c.id = h.card_id
			CROSS JOIN LATERAL (
				SELECT stddev_samp(r) FILTER (WHERE as_of > h.as_of - 7) AS vol7,
				       stddev_samp(r) FILTER (WHERE as_of > h.as_of - 30) AS vol30,
				       stddev_samp(r) AS vol90
				FROM (SELECT pp.as_of, ln(pp.amount_minor::float8 / nullif(lag(pp.amount_minor) OVER (ORDER BY pp.as_of), 0)) AS r
				      FROM price_points pp WHERE pp.series_id = h.series_id AND pp.as_of > h.as_of - 91
				        AND NOT pp.is_outlier AND pp.amount_minor > 0) x) v
			ON CONFLICT (card_id) DO UPDATE SET game_id = EXCLUDED.game_id, set_id = EXCLUDED.set_id,
				series_id = EXCLUDED.series_id, currency = EXCLUDED.currency, price_minor = EXCLUDED.price_minor,
				as_of = EXCLUDED.as_of, p7_minor = EXCLUDED.p7_minor, p30_minor = EXCLUDED.p30_minor,
				p90_minor = EXCLUDED.p90_minor, vol7 = EXCLUDED.vol7, vol30 = EXCLUDED.vol30, vol90 = EXCLUDED.vol90,
				usd_minor = EXCLUDED.usd_minor, updated_at = EXCLUDED.updated_at`, today)
		if err != nil {
			return fmt.Errorf("summaries: %w", err)
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, `DELETE FROM card_price_summary WHERE updated_at <> now()`)
		return err
	})
	return n, wrap("refresh summaries", err, "")
}

// Summaries streams every card's summary with its names.
func (db *DB) Summaries(ctx context.Context) ([]pricing.SummaryRow, error) {
	rows, err := db.Pool.Query(ctx, `SELECT ps.card_id, c.name, s.name, g.slug, ps.currency, ps.price_minor,
		ps.p7_minor, ps.p30_minor, ps.p90_minor, round(ps.vol7::numeric, 4)::float8, round(ps.vol30::numeric, 4)::float8, round(ps.vol90::numeric, 4)::float8
		FROM card_price_summary ps JOIN cards c ON c.id = ps.card_id JOIN sets s ON s.id = ps.set_id JOIN games g ON g.id = ps.game_id
		ORDER BY ps.card_id`)
	if err != nil {
		return nil, wrap("summaries", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.SummaryRow, error) {
		var s pricing.SummaryRow
		err := r.Scan(&s.CardID, &s.Name, &s.SetName, &s.Game, &s.Currency, &s.Minor, &s.P7, &s.P30, &s.P90, &s.Vol7, &s.Vol30, &s.Vol90)
		return s, err
	})
	return out, wrap("summaries", err, "")
}

// SourceSpreads returns, per priced card, the latest ungraded market-like
// price of each source for the headline variant, converted to EUR.
func (db *DB) SourceSpreads(ctx context.Context, rates pricing.Rates) ([]pricing.SpreadRow, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT ON (ps.card_id, s.source) ps.card_id, c.name, st.name, g.slug, s.source, s.currency, l.amount_minor
		FROM card_price_summary ps JOIN price_series hs ON hs.id = ps.series_id
		JOIN price_series s ON s.variant_id = hs.variant_id AND s.grading_company = '' AND s.price_type <> 'low'
		JOIN price_latest l ON l.series_id = s.id
		JOIN cards c ON c.id = ps.card_id JOIN sets st ON st.id = ps.set_id JOIN games g ON g.id = ps.game_id
		ORDER BY ps.card_id, s.source, CASE s.price_type WHEN 'market' THEN 0 WHEN 'trend' THEN 1 WHEN 'raw_us' THEN 2 WHEN 'raw_eu' THEN 3 ELSE 4 END, s.id`)
	if err != nil {
		return nil, wrap("spreads", err, "")
	}
	var out []pricing.SpreadRow
	var id, minor int64
	var name, set, game, src, cur string
	_, err = pgx.ForEachRow(rows, []any{&id, &name, &set, &game, &src, &cur, &minor}, func() error {
		if n := len(out); n == 0 || out[n-1].CardID != id {
			out = append(out, pricing.SpreadRow{CardID: id, Name: name, SetName: set, Game: game, BySource: map[string]int64{}})
		}
		if eur, ok := rates.Convert(minor, cur, "EUR"); ok {
			out[len(out)-1].BySource[src] = eur
		}
		return nil
	})
	return out, wrap("spreads", err, "")
}

// MarketStats reads the market totals from the counters and summaries.
func (db *DB) MarketStats(ctx context.Context) (pricing.MarketStats, error) {
	var st pricing.MarketStats
	var last *time.Time
	err := db.Pool.QueryRow(ctx, `SELECT
		(SELECT value FROM catalog_counters WHERE name = 'cards'),
		(SELECT value FROM catalog_counters WHERE name = 'price_points'),
		(SELECT value FROM catalog_counters WHERE name = 'sets'),
		(SELECT count(*) FROM games WHERE cards_count > 0),
		coalesce((SELECT array_agg(DISTINCT source ORDER BY source) FROM price_series), '{}'),
		(SELECT max(as_of)::timestamptz FROM card_price_summary)`).
		Scan(&st.TotalCards, &st.TotalPrices, &st.TotalSets, &st.TCGsCovered, &st.Sources, &last)
	if last != nil {
		st.LastUpdate = last.UTC()
	}
	return st, wrap("market stats", err, "")
}
