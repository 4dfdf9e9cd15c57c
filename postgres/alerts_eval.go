package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/notify"
)

// evaluateAlerts triggers, inside WritePrices' transaction and before the
// staged points are written, every armed price alert and wishlist max
// price that a staged price crosses, in one statement over the staged
// prices (never a loop per alert):
//
//   - the staged prices considered are each series' newest staged point
//     that is news (not an outlier, not already stored with the same
//     amount, not older than the series' headline), of the raw market
//     price types (collection.MarketPriceTypes), per card and currency
//     their lowest and highest;
//   - an alert "below" triggers when the lowest is at or under its target,
//     "above" when the highest is at or over it; a wishlist card with a
//     max_price when the lowest is at or under it;
//   - the matching rows are locked in id order and updated only while
//     still armed (triggered_at / notified_at NULL), so two writers racing
//     on the same alert trigger it once: the second waits for the first's
//     commit and then finds it triggered;
//   - one notification per trigger is inserted and returned for delivery
//     after commit.
func evaluateAlerts(ctx context.Context, tx pgx.Tx, now time.Time) ([]notify.Notification, error) {
	// nothing armed (both partial indexes empty): skip the staged scan
	var armed bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM price_alerts WHERE triggered_at IS NULL)
		OR EXISTS (SELECT 1 FROM wishlist_items WHERE notified_at IS NULL AND max_price_minor IS NOT NULL)`).Scan(&armed); err != nil {
		return nil, fmt.Errorf("alerts: armed: %w", err)
	}
	if !armed {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `
		WITH fresh AS (
			SELECT v.card_id, ps.currency, min(s.amount_minor) AS lo, max(s.amount_minor) AS hi
			FROM (SELECT DISTINCT ON (series_id) series_id, as_of, amount_minor, is_outlier
			      FROM stage_points ORDER BY series_id, as_of DESC, ord DESC) s
			JOIN price_series ps ON ps.id = s.series_id
			JOIN variants v ON v.id = ps.variant_id
			WHERE NOT s.is_outlier AND ps.grading_company = '' AND ps.price_type = ANY($1)
			  AND NOT EXISTS (SELECT 1 FROM price_points p WHERE p.series_id = s.series_id AND p.as_of = s.as_of
			                  AND p.amount_minor = s.amount_minor AND NOT p.is_outlier)
			  AND NOT EXISTS (SELECT 1 FROM price_latest l WHERE l.series_id = s.series_id AND l.as_of > s.as_of)
			GROUP BY v.card_id, ps.currency
		), alert_hits AS (
			SELECT a.id, CASE WHEN a.condition = 'below' THEN f.lo ELSE f.hi END AS price
			FROM price_alerts a JOIN fresh f ON f.card_id = a.card_id AND f.currency = a.currency
			WHERE a.triggered_at IS NULL
			  AND ((a.condition = 'below' AND f.lo <= a.target_minor) OR (a.condition = 'above' AND f.hi >= a.target_minor))
			ORDER BY a.id FOR UPDATE OF a
		), fired AS (
			UPDATE price_alerts a SET triggered_at = $2, is_active = false FROM alert_hits h
			WHERE a.id = h.id AND a.triggered_at IS NULL
			RETURNING a.id, a.user_id, a.card_id, a.target_minor, a.condition, a.currency, h.price
		), wish_hits AS (
			SELECT w.id, f.lo AS price
			FROM wishlist_items w JOIN fresh f ON f.card_id = w.card_id AND f.currency = w.currency
			WHERE w.notified_at IS NULL AND w.max_price_minor IS NOT NULL AND f.lo <= w.max_price_minor
			ORDER BY w.id FOR UPDATE OF w
		), wished AS (
			UPDATE wishlist_items w SET notified_at = $2 FROM wish_hits h
			WHERE w.id = h.id AND w.notified_at IS NULL
			RETURNING w.id, w.user_id, w.card_id, w.max_price_minor, w.currency, h.price
		), money AS (
			SELECT 'EUR' AS currency, '€' AS sym UNION ALL SELECT 'USD', '$'
		)
		INSERT INTO notifications (user_id, kind, title, body, url, data, created_at)
		SELECT f.user_id, $3, c.name || ' hit your target',
			format('Now %s%s (target: %s%s)', coalesce(m.sym, f.currency || ' '), to_char(f.price / 100.0, 'FM9999999990.00'),
			       coalesce(m.sym, f.currency || ' '), to_char(f.target_minor / 100.0, 'FM9999999990.00')),
			'/cards/' || f.card_id,
			jsonb_build_object('card_id', f.card_id, 'alert_id', f.id, 'price', f.price / 100.0,
			                   'target_price', f.target_minor / 100.0, 'condition', f.condition, 'currency', f.currency),
			$2
		FROM fired f JOIN cards c ON c.id = f.card_id LEFT JOIN money m ON m.currency = f.currency
		UNION ALL
		SELECT w.user_id, $4, c.name || ' is under your wishlist price',
			format('Now %s%s (max: %s%s)', coalesce(m.sym, w.currency || ' '), to_char(w.price / 100.0, 'FM9999999990.00'),
			       coalesce(m.sym, w.currency || ' '), to_char(w.max_price_minor / 100.0, 'FM9999999990.00')),
			'/cards/' || w.card_id,
			jsonb_build_object('card_id', w.card_id, 'wishlist_id', w.id, 'price', w.price / 100.0,
			                   'max_price', w.max_price_minor / 100.0, 'currency', w.currency),
			$2
		FROM wished w JOIN cards c ON c.id = w.card_id LEFT JOIN money m ON m.currency = w.currency
		RETURNING `+notificationCols,
		collection.MarketPriceTypes, now, string(notify.KindAlertTriggered), string(notify.KindWishlistPrice))
	if err != nil {
		return nil, fmt.Errorf("alerts: evaluate: %w", err)
	}
	out, err := collectNotifications(rows)
	if err != nil {
		return nil, fmt.Errorf("alerts: evaluate: %w", err)
	}
	return out, nil
}

// deliver hands the notifications a committed price write recorded to
// the deliverer (WebSocket, e-mail, push); nil delivers none (they stay
// in the feed).
func (db *DB) deliver(ctx context.Context, ns []notify.Notification) {
	if db.Notify == nil || len(ns) == 0 {
		return
	}
	slog.DebugContext(ctx, "price alerts triggered", "notifications", len(ns))
	db.Notify.Deliver(ctx, ns)
}
