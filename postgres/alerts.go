package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
)

// pgCode returns the SQLSTATE of a Postgres error, "" otherwise.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

const alertCols = `a.id, a.card_id, c.name, a.target_minor, a.condition, a.currency, a.is_active, a.triggered_at, a.created_at`

func scanAlert(r pgx.Row) (collection.Alert, error) {
	var a collection.Alert
	var target int64
	var cond string
	err := r.Scan(&a.ID, &a.CardID, &a.CardName, &target, &cond, &a.Currency, &a.IsActive, &a.TriggeredAt, &a.CreatedAt)
	a.TargetPrice, a.Condition, a.CreatedAt = collection.FromMinor(target), collection.AlertCondition(cond), a.CreatedAt.UTC()
	if a.TriggeredAt != nil {
		t := a.TriggeredAt.UTC()
		a.TriggeredAt = &t
	}
	return a, err
}

// Alerts lists the user's alerts, newest first.
func (db *DB) Alerts(ctx context.Context, userID int64) ([]collection.Alert, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+alertCols+` FROM price_alerts a JOIN cards c ON c.id = a.card_id
		WHERE a.user_id = $1 ORDER BY a.id DESC`, userID)
	if err != nil {
		return nil, wrap("alerts: list", err, "")
	}
	defer rows.Close()
	out := []collection.Alert{}
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, wrap("alerts: list", err, "")
		}
		out = append(out, a)
	}
	return out, wrap("alerts: list", rows.Err(), "")
}

// CreateAlert stores an alert: ECONFLICT for a duplicate, ENOTFOUND for an
// unknown card, EFORBIDDEN beyond collection.MaxAlerts.
func (db *DB) CreateAlert(ctx context.Context, userID int64, a collection.NewAlert) (collection.Alert, error) {
	var out collection.Alert
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		// one user's creates are serialised so the count holds
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('price_alerts', $1))`, userID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM price_alerts WHERE user_id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n >= collection.MaxAlerts {
			return catalog.Errorf(catalog.EFORBIDDEN, "Alert limit reached (%d)", collection.MaxAlerts)
		}
		var err error
		out, err = scanAlert(tx.QueryRow(ctx, `WITH a AS (
			INSERT INTO price_alerts (user_id, card_id, target_minor, condition, currency) VALUES ($1, $2, $3, $4, $5)
			RETURNING *) SELECT `+alertCols+` FROM a JOIN cards c ON c.id = a.card_id`,
			userID, a.CardID, a.TargetMinor, string(a.Condition), a.Currency))
		return err
	})
	switch pgCode(err) {
	case "23505":
		return out, catalog.Errorf(catalog.ECONFLICT, "Alert already exists")
	case "23503":
		return out, catalog.Errorf(catalog.ENOTFOUND, "Card not found")
	}
	return out, wrap("alerts: create", err, "")
}

// DeleteAlert removes the user's alert.
func (db *DB) DeleteAlert(ctx context.Context, userID, id int64) error {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM price_alerts WHERE id = $2 AND user_id = $1`, userID, id)
	if err != nil {
		return wrap("alerts: delete", err, "")
	}
	if tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Alert not found")
	}
	return nil
}

// marketPriceOfCard is the card's (alias c.id = $card column) current raw
// market price in currency (see collection.MarketPriceTypes); used as a
// LATERAL with the card id and currency columns substituted.
func marketPriceOf(cardCol, currencyCol, typesParam string) string {
	return `SELECT l.amount_minor FROM variants v
		JOIN printings p ON p.id = v.printing_id
		JOIN price_series ps ON ps.variant_id = v.id
		JOIN price_latest l ON l.series_id = ps.id
		WHERE v.card_id = ` + cardCol + ` AND ps.currency = ` + currencyCol + ` AND ps.grading_company = ''
		  AND ps.price_type = ANY(` + typesParam + `)
		ORDER BY array_position(` + typesParam + `, ps.price_type), p.position, p.id, v.position, v.id, ps.id LIMIT 1`
}

const wishCols = `w.id, w.card_id, c.name, g.slug, s.name, img.url, w.max_price_minor, w.currency, px.amount_minor,
	w.notified_at, w.created_at`

func wishFrom() string {
	return ` FROM wishlist_items w
	JOIN cards c ON c.id = w.card_id JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id
	LEFT JOIN LATERAL (` + marketPriceOf("w.card_id", "w.currency", "$2") + `) px ON true
	LEFT JOIN LATERAL (SELECT i.url FROM images i WHERE i.card_id = w.card_id
	                   ORDER BY i.is_placeholder, i.position, i.id LIMIT 1) img ON true`
}

func scanWish(r pgx.Row) (collection.WishItem, error) {
	var w collection.WishItem
	var max, cur *int64
	err := r.Scan(&w.ID, &w.CardID, &w.CardName, &w.TCGSlug, &w.SetName, &w.ImageURL, &max, &w.Currency, &cur,
		&w.NotifiedAt, &w.AddedAt)
	if max != nil {
		v := collection.FromMinor(*max)
		w.MaxPrice = &v
	}
	if cur != nil {
		v := collection.FromMinor(*cur)
		w.CurrentPrice = &v
	}
	w.AddedAt = w.AddedAt.UTC()
	return w, err
}

// Wishlist lists the user's wishlist, newest first.
func (db *DB) Wishlist(ctx context.Context, userID int64) ([]collection.WishItem, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+wishCols+wishFrom()+` WHERE w.user_id = $1 ORDER BY w.id DESC`,
		userID, collection.MarketPriceTypes)
	if err != nil {
		return nil, wrap("wishlist: list", err, "")
	}
	defer rows.Close()
	out := []collection.WishItem{}
	for rows.Next() {
		w, err := scanWish(rows)
		if err != nil {
			return nil, wrap("wishlist: list", err, "")
		}
		out = append(out, w)
	}
	return out, wrap("wishlist: list", rows.Err(), "")
}

// UpsertWish adds a card to the wishlist or updates its max price (and
// re-arms its notification); created reports an insert.
func (db *DB) UpsertWish(ctx context.Context, userID, cardID int64, maxMinor *int64, currency string) (collection.WishItem, bool, error) {
	var id int64
	var created bool
	err := db.Pool.QueryRow(ctx, `INSERT INTO wishlist_items (user_id, card_id, max_price_minor, currency) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id, card_id) DO UPDATE SET max_price_minor = EXCLUDED.max_price_minor,
			currency = EXCLUDED.currency, notified_at = NULL
		RETURNING id, xmax = 0`, userID, cardID, maxMinor, currency).Scan(&id, &created)
	if pgCode(err) == "23503" {
		return collection.WishItem{}, false, catalog.Errorf(catalog.ENOTFOUND, "Card not found")
	}
	if err != nil {
		return collection.WishItem{}, false, wrap("wishlist: add", err, "")
	}
	w, err := scanWish(db.Pool.QueryRow(ctx, `SELECT `+wishCols+wishFrom()+` WHERE w.user_id = $1 AND w.id = $3`,
		userID, collection.MarketPriceTypes, id))
	return w, created, wrap("wishlist: add", err, "")
}

// DeleteWish removes a card from the user's wishlist.
func (db *DB) DeleteWish(ctx context.Context, userID, cardID int64) error {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM wishlist_items WHERE user_id = $1 AND card_id = $2`, userID, cardID)
	if err != nil {
		return wrap("wishlist: delete", err, "")
	}
	if tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Card not on the wishlist")
	}
	return nil
}
