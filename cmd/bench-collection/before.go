package main

import (
	"context"
	"fmt"
	"time"

	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/postgres"
)

// beforeQuery is the portfolio query this design replaced (as of commit
// b8ca854): per entry a lateral pick of the valuing series over price_latest
// and two look-backs into price_points. The bench times it on the same data
// and checks that both answer the same sums.
const beforeQuery = `
	SELECT e.card_id, c.name, g.slug, e.quantity, px.amount_minor,
	  (SELECT pp.amount_minor FROM price_points pp WHERE pp.series_id = px.series_id
	     AND pp.as_of BETWEEN $4::date - 31 AND $4::date AND NOT pp.is_outlier ORDER BY pp.as_of DESC LIMIT 1),
	  (SELECT pp.amount_minor FROM price_points pp WHERE pp.series_id = px.series_id
	     AND pp.as_of BETWEEN $5::date - 31 AND $5::date AND NOT pp.is_outlier ORDER BY pp.as_of DESC LIMIT 1)
	FROM collection_entries e
	JOIN cards c ON c.id = e.card_id JOIN games g ON g.id = c.game_id
	LEFT JOIN LATERAL (
		SELECT ps.id AS series_id, l.amount_minor FROM variants v
		JOIN printings p ON p.id = v.printing_id
		JOIN price_series ps ON ps.variant_id = v.id
		JOIN price_latest l ON l.series_id = ps.id
		WHERE v.card_id = e.card_id AND (e.variant_id IS NULL OR v.id = e.variant_id) AND ps.currency = $2
		  AND ((e.graded AND e.grade IS NOT NULL AND ps.grading_company <> '' AND ps.grade = trim_scale(e.grade)::text
		        AND ps.grading_company IN (lower(coalesce(e.grading_company, 'other')), 'other'))
		       OR (ps.grading_company = '' AND ps.price_type = ANY($3)))
		ORDER BY (ps.grading_company <> '') DESC, (ps.grading_company = lower(coalesce(e.grading_company, ''))) DESC,
		         array_position($3, ps.price_type), p.position, p.id, v.position, v.id, ps.id
		LIMIT 1) px ON true
	WHERE e.user_id = $1`

// beforePortfolio sums what beforeQuery answers as the store did.
func beforePortfolio(ctx context.Context, db *postgres.DB, userID int64, currency string, today time.Time) (collection.Portfolio, error) {
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	rows, err := db.Pool.Query(ctx, beforeQuery, userID, currency, collection.MarketPriceTypes, day.AddDate(0, 0, -1), day.AddDate(0, 0, -7))
	if err != nil {
		return collection.Portfolio{}, fmt.Errorf("before: %w", err)
	}
	defer rows.Close()
	var p collection.Portfolio
	for rows.Next() {
		var cardID int64
		var name, game string
		var qty int
		var cur, d1, d7 *int64
		if err := rows.Scan(&cardID, &name, &game, &qty, &cur, &d1, &d7); err != nil {
			return p, fmt.Errorf("before: %w", err)
		}
		p.CardCount += qty
		if cur == nil {
			continue
		}
		q := int64(qty)
		p.PricedCount += qty
		p.TotalMinor += *cur * q
		p.Ago24hMinor += *coalesce(d1, cur) * q
		p.Ago7dMinor += *coalesce(d7, cur) * q
	}
	return p, rows.Err()
}

func coalesce(a, b *int64) *int64 {
	if a != nil {
		return a
	}
	return b
}
