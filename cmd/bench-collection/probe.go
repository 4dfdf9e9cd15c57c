package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/postgres"
)

// probeQuery is the portfolio statement collection_values replaced (as of
// commit 0971ff0, migration 00016): one portfolio_prices probe per entry,
// the graded pick per graded entry. The bench times it alternating with
// the service's read and checks that both answer the same sums.
var probeQuery = `
	WITH y AS (
		SELECT e.id, e.card_id, e.quantity::bigint AS q, pp.series_id, pp.game_id, pp.as_of AS top,
		       pp.amount_minor AS cur, pp.back
		FROM collection_entries e
		LEFT JOIN LATERAL (SELECT * FROM portfolio_prices pp WHERE pp.card_id = e.card_id
		     AND pp.variant_id = coalesce(e.variant_id, 0) AND pp.currency = $2 LIMIT 1) pp ON true
		WHERE e.user_id = $1 AND NOT (e.graded AND e.grade IS NOT NULL)
		UNION ALL
		SELECT e.id, e.card_id, e.quantity::bigint, coalesce(gx.series_id, pp.series_id), coalesce(gx.game_id, pp.game_id),
		       coalesce(gx.as_of, pp.as_of), coalesce(gx.amount_minor, pp.amount_minor),
		       CASE WHEN gx.series_id IS NULL THEN pp.back END
		FROM collection_entries e
		LEFT JOIN LATERAL (SELECT * FROM portfolio_prices pp WHERE pp.card_id = e.card_id
		     AND pp.variant_id = coalesce(e.variant_id, 0) AND pp.currency = $2 LIMIT 1) pp ON true
		LEFT JOIN LATERAL (
			SELECT ps.id AS series_id, c.game_id, l.as_of, l.amount_minor FROM variants v
			JOIN printings p ON p.id = v.printing_id
			JOIN price_series ps ON ps.variant_id = v.id
			JOIN price_latest l ON l.series_id = ps.id
			JOIN cards c ON c.id = v.card_id
			WHERE v.card_id = e.card_id AND (e.variant_id IS NULL OR v.id = e.variant_id) AND ps.currency = $2
			  AND ps.grading_company <> '' AND ps.grade = trim_scale(e.grade)::text
			  AND ps.grading_company IN (lower(coalesce(e.grading_company, 'other')), 'other')
			ORDER BY (ps.grading_company = lower(coalesce(e.grading_company, ''))) DESC,
			         array_position($3, ps.price_type), p.position, p.id, v.position, v.id, ps.id
			LIMIT 1) gx ON true
		WHERE e.user_id = $1 AND e.graded AND e.grade IS NOT NULL
	), v AS MATERIALIZED (
		SELECT y.id, y.card_id, y.q, y.game_id, y.cur, ` + probeLookBack("$4") + ` AS d1, ` + probeLookBack("$5") + ` AS d7
		FROM y
	)
	SELECT false, g.slug, NULL::bigint, NULL::text, s.copies, s.priced, s.total, s.d1, s.d7 FROM (
		SELECT game_id, sum(q)::bigint AS copies, coalesce(sum(q) FILTER (WHERE cur IS NOT NULL), 0)::bigint AS priced,
		       coalesce(sum(cur * q), 0)::bigint AS total, coalesce(sum(coalesce(d1, cur) * q), 0)::bigint AS d1,
		       coalesce(sum(coalesce(d7, cur) * q), 0)::bigint AS d7
		FROM v GROUP BY game_id) s
	LEFT JOIN games g ON g.id = s.game_id
	UNION ALL
	SELECT true, NULL, t.card_id, c.name, t.q, t.q, t.value, 0, 0 FROM (
		SELECT card_id, q, cur * q AS value FROM v WHERE cur IS NOT NULL ORDER BY cur * q DESC, id LIMIT 1) t
	JOIN cards c ON c.id = t.card_id`

// probeLookBack is the SQL of an entry y's price on day d: its latest price
// when that is on or before d (if at most 31 days older), else the stored
// look-back value, else the latest non-outlier point of price_points in
// [d - 31, d].
func probeLookBack(d string) string {
	return `CASE WHEN y.top IS NULL THEN NULL
		WHEN y.top <= ` + d + `::date THEN CASE WHEN ` + d + `::date - y.top <= 31 THEN y.cur END
		WHEN y.back IS NOT NULL AND y.top - ` + d + `::date < $6 THEN y.back[y.top - ` + d + `::date + 1]
		ELSE (SELECT pt.amount_minor FROM price_points pt WHERE pt.series_id = y.series_id
		      AND pt.as_of BETWEEN ` + d + `::date - 31 AND ` + d + `::date AND NOT pt.is_outlier
		      ORDER BY pt.as_of DESC LIMIT 1) END`
}

// probePortfolio sums what probeQuery answers as the store did.
func probePortfolio(ctx context.Context, db *postgres.DB, userID int64, currency string, today time.Time) (collection.Portfolio, error) {
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	var p collection.Portfolio
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, probeQuery, userID, currency, collection.MarketPriceTypes,
			day.AddDate(0, 0, -1), day.AddDate(0, 0, -7), 14)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var top bool
			var game, name *string
			var cardID *int64
			var copies, priced, total, d1, d7 int64
			if err := rows.Scan(&top, &game, &cardID, &name, &copies, &priced, &total, &d1, &d7); err != nil {
				return err
			}
			if top {
				continue
			}
			p.CardCount += int(copies)
			p.PricedCount += int(priced)
			p.TotalMinor += total
			p.Ago24hMinor += d1
			p.Ago7dMinor += d7
		}
		return rows.Err()
	})
	if err != nil {
		return p, fmt.Errorf("probe: %w", err)
	}
	return p, nil
}
