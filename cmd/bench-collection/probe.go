package main

import (
	"context"
	"fmt"
	"time"

	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/postgres"
)

// probeQuery is the portfolio statement collection_values replaced (as of
// commit 0971ff0, migration 00016): its entry rows are one portfolio_prices
// probe per entry (LATERAL … LIMIT 1) and the grader's series pick per
// graded entry, the rest is the same statement. The bench times it
// alternating with the service's read and checks that both answer the
// same sums.
var probeQuery = postgres.PortfolioSQL(`
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
			         array_position(collection_price_types(), ps.price_type), p.position, p.id, v.position, v.id, ps.id
			LIMIT 1) gx ON true
		WHERE e.user_id = $1 AND e.graded AND e.grade IS NOT NULL`)

// probePortfolio values the portfolio with probeQuery as the store did.
func probePortfolio(ctx context.Context, db *postgres.DB, userID int64, currency string, today time.Time) (collection.Portfolio, error) {
	p, err := db.PortfolioFrom(ctx, probeQuery, userID, currency, today)
	if err != nil {
		return p, fmt.Errorf("probe: %w", err)
	}
	return p, nil
}
