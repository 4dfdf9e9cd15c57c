package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
)

// MaxPriceEvents bounds the price_update points one WritePrices call
// publishes (each goes to its card, set and TCG topics): a bulk import of
// millions of points is not a live ticker.
const MaxPriceEvents = 10_000

// priceEvents reads, inside WritePrices' transaction and before the points
// are written, the staged card prices that are news: not an outlier, not
// already stored with the same amount, and not older than the series'
// headline. One event per series (its newest staged point).
func priceEvents(ctx context.Context, tx pgx.Tx) ([]catalog.Event, error) {
	rows, err := tx.Query(ctx, `
		SELECT v.card_id, c.set_id, g.slug, ps.source, v.finish, ps.currency, s.amount_minor, s.as_of
		FROM (SELECT DISTINCT ON (series_id) series_id, as_of, amount_minor, is_outlier
		      FROM stage_points ORDER BY series_id, as_of DESC, ord DESC) s
		JOIN price_series ps ON ps.id = s.series_id
		JOIN variants v ON v.id = ps.variant_id
		JOIN cards c ON c.id = v.card_id
		JOIN games g ON g.id = c.game_id
		WHERE NOT s.is_outlier
		  AND NOT EXISTS (SELECT 1 FROM price_points p WHERE p.series_id = s.series_id AND p.as_of = s.as_of
		                  AND p.amount_minor = s.amount_minor AND NOT p.is_outlier)
		  AND NOT EXISTS (SELECT 1 FROM price_latest l WHERE l.series_id = s.series_id AND l.as_of > s.as_of)
		ORDER BY v.card_id, s.series_id
		LIMIT $1`, MaxPriceEvents)
	if err != nil {
		return nil, fmt.Errorf("price events: %w", err)
	}
	now := time.Now()
	var out []catalog.Event
	for rows.Next() {
		var u catalog.PriceUpdate
		var minor int64
		var asOf time.Time
		if err := rows.Scan(&u.CardID, &u.SetID, &u.TCG, &u.Source, &u.Variant, &u.Currency, &minor, &asOf); err != nil {
			return nil, fmt.Errorf("price events: %w", err)
		}
		u.MarketPrice, u.AsOf = minorToAmount(minor), asOf.Format(time.DateOnly)
		out = append(out, catalog.PriceEvents(u, now)...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("price events: %w", err)
	}
	return out, nil
}

// publish sends committed price events; a failure is logged, never
// returned: the prices are written either way.
func (db *DB) publish(ctx context.Context, events []catalog.Event) {
	if db.Events == nil || len(events) == 0 {
		return
	}
	if err := db.Events.Publish(context.WithoutCancel(ctx), events...); err != nil {
		slog.WarnContext(ctx, "price events not published", "events", len(events), "err", err)
	}
}
