package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/market"
)

// MarketStore is the marketplace's Postgres store (migration 00010):
// platform settings, sellers, listings, bids, transactions and ratings.
type MarketStore struct{ db *DB }

var _ market.Store = (*MarketStore)(nil)

// Market returns the marketplace store on db's pool.
func (db *DB) Market() *MarketStore { return &MarketStore{db: db} }

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func isUniqueViolation(err error) (string, bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return pgErr.ConstraintName, true
	}
	return "", false
}

// Settings returns every platform setting by key.
func (m *MarketStore) Settings(ctx context.Context) ([]market.Setting, error) {
	rows, err := m.db.Pool.Query(ctx, `SELECT key, value, description, is_public, updated_at FROM platform_settings ORDER BY key`)
	if err != nil {
		return nil, wrap("market: settings", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (market.Setting, error) {
		var s market.Setting
		var v []byte
		err := r.Scan(&s.Key, &v, &s.Description, &s.IsPublic, &s.UpdatedAt)
		s.Value = json.RawMessage(v)
		s.UpdatedAt = s.UpdatedAt.UTC()
		return s, err
	})
	return out, wrap("market: settings", err, "")
}

// PutSetting creates or replaces a setting.
func (m *MarketStore) PutSetting(ctx context.Context, s market.Setting) (market.Setting, error) {
	var v []byte
	err := m.db.Pool.QueryRow(ctx, `INSERT INTO platform_settings (key, value, description, is_public, updated_at)
		VALUES ($1, $2::jsonb, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, description = EXCLUDED.description,
			is_public = EXCLUDED.is_public, updated_at = EXCLUDED.updated_at
		RETURNING key, value, description, is_public, updated_at`,
		s.Key, string(s.Value), s.Description, s.IsPublic, s.UpdatedAt).Scan(&s.Key, &v, &s.Description, &s.IsPublic, &s.UpdatedAt)
	s.Value = json.RawMessage(v)
	s.UpdatedAt = s.UpdatedAt.UTC()
	return s, wrap("market: put setting", err, "")
}

// DeleteSetting removes a setting (ENOTFOUND when absent).
func (m *MarketStore) DeleteSetting(ctx context.Context, key string) error {
	tag, err := m.db.Pool.Exec(ctx, `DELETE FROM platform_settings WHERE key = $1`, key)
	if err != nil {
		return wrap("market: delete setting", err, "")
	}
	if tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Setting not found")
	}
	return nil
}

const sellerCols = `s.user_id, u.username, s.display_name, s.country, s.cardmarket_username, s.created_at, s.updated_at`

func scanSeller(r pgx.Row) (market.Seller, error) {
	var s market.Seller
	err := r.Scan(&s.UserID, &s.Username, &s.DisplayName, &s.Country, &s.CardmarketUsername, &s.CreatedAt, &s.UpdatedAt)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, err
}

// UpsertSeller creates or updates a seller account and flags the user a
// seller.
func (m *MarketStore) UpsertSeller(ctx context.Context, s market.Seller) (market.Seller, error) {
	var out market.Seller
	err := pgx.BeginFunc(ctx, m.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sellers (user_id, display_name, country, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name, country = EXCLUDED.country,
				updated_at = EXCLUDED.updated_at`, s.UserID, s.DisplayName, s.Country, s.CreatedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET is_seller = true WHERE id = $1`, s.UserID); err != nil {
			return err
		}
		var err error
		out, err = scanSeller(tx.QueryRow(ctx, `SELECT `+sellerCols+` FROM sellers s JOIN users u ON u.id = s.user_id WHERE s.user_id = $1`, s.UserID))
		return err
	})
	return out, wrap("market: upsert seller", err, "User not found")
}

// Seller returns a seller account (ENOTFOUND when the user is no seller).
func (m *MarketStore) Seller(ctx context.Context, userID int64) (market.Seller, error) {
	s, err := scanSeller(m.db.Pool.QueryRow(ctx, `SELECT `+sellerCols+` FROM sellers s JOIN users u ON u.id = s.user_id WHERE s.user_id = $1`, userID))
	return s, wrap("market: seller", err, "Not a seller")
}

// SetCardmarketUsername links a Cardmarket account to a seller.
func (m *MarketStore) SetCardmarketUsername(ctx context.Context, userID int64, name string, now time.Time) (market.Seller, error) {
	s, err := scanSeller(m.db.Pool.QueryRow(ctx, `WITH s AS (UPDATE sellers SET cardmarket_username = NULLIF($2, ''), updated_at = $3
		WHERE user_id = $1 RETURNING *) SELECT `+sellerCols+` FROM s JOIN users u ON u.id = s.user_id`, userID, name, now))
	return s, wrap("market: cardmarket username", err, "Not a seller")
}

// UserID resolves a username.
func (m *MarketStore) UserID(ctx context.Context, username string) (int64, error) {
	var id int64
	err := m.db.Pool.QueryRow(ctx, `SELECT id FROM users WHERE username = $1`, username).Scan(&id)
	return id, wrap("market: user id", err, "User not found")
}

// Card returns what a listing needs of a card.
func (m *MarketStore) Card(ctx context.Context, id int64) (market.Card, error) {
	var c market.Card
	var price int64
	// the market price is the newest EUR price of the card's ungraded
	// variants: trend, else the 30-day, 7-day or plain average, else any
	err := m.db.Pool.QueryRow(ctx, `SELECT c.id, c.name, s.name, c.game_id, g.slug, COALESCE((
			SELECT pl.amount_minor FROM variants v JOIN price_series ps ON ps.variant_id = v.id
			JOIN price_latest pl ON pl.series_id = ps.id
			WHERE v.card_id = c.id AND ps.currency = 'EUR' AND ps.grading_company = ''
			ORDER BY pl.as_of DESC, array_position(ARRAY['trend', 'avg30', 'avg7', 'avg', 'raw_eu'], ps.price_type) NULLS LAST,
				v.position, v.id LIMIT 1), 0)
		FROM cards c JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id WHERE c.id = $1`, id).
		Scan(&c.ID, &c.Name, &c.SetName, &c.GameID, &c.TCGSlug, &price)
	c.MarketPrice = market.Cents(price)
	return c, wrap("market: card", err, "Card not found")
}

// FindCards resolves Cardmarket rows: by idProduct through the cardmarket
// cross-references, else by card name (and expansion = set name when
// given), case-insensitive; the lowest card id wins a tie.
func (m *MarketStore) FindCards(ctx context.Context, rows []market.CardmarketRow) (map[int]market.Card, error) {
	var ids, names []string
	for _, r := range rows {
		if r.ProductID != "" {
			ids = append(ids, r.ProductID)
		}
		if r.Name != "" {
			names = append(names, strings.ToLower(r.Name))
		}
	}
	byProduct := map[string]market.Card{}
	type nameKey struct{ name, set string }
	byName := map[string]market.Card{}
	byNameSet := map[nameKey]market.Card{}
	if len(ids) > 0 {
		rs, err := m.db.Pool.Query(ctx, `SELECT DISTINCT ON (e.external_id) e.external_id, c.id, c.name, s.name, c.game_id, g.slug
			FROM external_ids e JOIN cards c ON c.id = e.card_id JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id
			WHERE e.source = $1 AND e.external_id = ANY($2) ORDER BY e.external_id, c.id`, catalog.XRefCardmarket, ids)
		if err != nil {
			return nil, wrap("market: find cards", err, "")
		}
		for rs.Next() {
			var ext string
			var c market.Card
			if err := rs.Scan(&ext, &c.ID, &c.Name, &c.SetName, &c.GameID, &c.TCGSlug); err != nil {
				rs.Close()
				return nil, wrap("market: find cards", err, "")
			}
			byProduct[ext] = c
		}
		if err := rs.Err(); err != nil {
			return nil, wrap("market: find cards", err, "")
		}
	}
	if len(names) > 0 {
		rs, err := m.db.Pool.Query(ctx, `SELECT c.id, c.name, s.name, c.game_id, g.slug
			FROM cards c JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id
			WHERE lower(c.name) = ANY($1) ORDER BY c.id`, names)
		if err != nil {
			return nil, wrap("market: find cards", err, "")
		}
		for rs.Next() {
			var c market.Card
			if err := rs.Scan(&c.ID, &c.Name, &c.SetName, &c.GameID, &c.TCGSlug); err != nil {
				rs.Close()
				return nil, wrap("market: find cards", err, "")
			}
			n := strings.ToLower(c.Name)
			if _, ok := byName[n]; !ok {
				byName[n] = c
			}
			k := nameKey{n, strings.ToLower(c.SetName)}
			if _, ok := byNameSet[k]; !ok {
				byNameSet[k] = c
			}
		}
		if err := rs.Err(); err != nil {
			return nil, wrap("market: find cards", err, "")
		}
	}
	out := map[int]market.Card{}
	for i, r := range rows {
		if c, ok := byProduct[r.ProductID]; ok && r.ProductID != "" {
			out[i] = c
			continue
		}
		n := strings.ToLower(r.Name)
		if r.Expansion != "" {
			if c, ok := byNameSet[nameKey{n, strings.ToLower(r.Expansion)}]; ok {
				out[i] = c
			}
			continue
		}
		if c, ok := byName[n]; ok {
			out[i] = c
		}
	}
	return out, nil
}
