package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
)

var _ catalog.KeyStore = (*DB)(nil)

const keyCols = `k.id, k.user_id, k.name, k.prefix, k.tier, k.is_active, k.created_at, k.expires_at, k.revoked_at,
	k.last_used_at, k.key_hash`

func scanKey(r pgx.Row, extra ...any) (catalog.APIKey, error) {
	var k catalog.APIKey
	var tier *string
	dest := append([]any{&k.ID, &k.UserID, &k.Name, &k.Prefix, &tier, &k.IsActive, &k.CreatedAt, &k.ExpiresAt,
		&k.RevokedAt, &k.LastUsedAt, &k.Hash}, extra...)
	err := r.Scan(dest...)
	if tier != nil {
		t := catalog.Tier(*tier).Limits().Tier
		k.Tier = &t
	}
	k.CreatedAt = k.CreatedAt.UTC()
	for _, p := range []*time.Time{k.ExpiresAt, k.RevokedAt, k.LastUsedAt} {
		if p != nil {
			*p = p.UTC()
		}
	}
	return k, err
}

// CreateKey stores a key unless the user holds maxActive usable keys already;
// the user row is locked so two concurrent creations cannot both pass.
func (db *DB) CreateKey(ctx context.Context, n catalog.NewKey, maxActive int, now time.Time) (catalog.APIKey, error) {
	var k catalog.APIKey
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, n.UserID); err != nil {
			return err
		}
		var active int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM api_keys WHERE user_id = $1 AND is_active
			AND (expires_at IS NULL OR expires_at > $2)`, n.UserID, now).Scan(&active); err != nil {
			return err
		}
		if active >= maxActive {
			return catalog.Errorf(catalog.EFORBIDDEN, "API key limit reached for your tier (%d keys)", maxActive)
		}
		var tier *string
		if n.Tier != nil {
			s := string(*n.Tier)
			tier = &s
		}
		var err error
		k, err = scanKey(tx.QueryRow(ctx, `INSERT INTO api_keys AS k (user_id, name, prefix, key_hash, tier, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+keyCols, n.UserID, n.Name, n.Prefix, n.Hash, tier, n.CreatedAt, n.ExpiresAt))
		return err
	})
	return k, wrap("keys: create", err, "User not found")
}

// Keys lists a user's keys, newest first.
func (db *DB) Keys(ctx context.Context, userID int64) ([]catalog.APIKey, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+keyCols+` FROM api_keys k WHERE k.user_id = $1 ORDER BY k.id DESC`, userID)
	if err != nil {
		return nil, wrap("keys: list", err, "")
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (catalog.APIKey, error) { return scanKey(r) })
	return keys, wrap("keys: list", err, "")
}

// Key returns one key.
func (db *DB) Key(ctx context.Context, id int64) (catalog.APIKey, error) {
	k, err := scanKey(db.Pool.QueryRow(ctx, `SELECT `+keyCols+` FROM api_keys k WHERE k.id = $1`, id))
	return k, wrap("keys: get", err, "API key not found")
}

// RenameKey changes a key's label.
func (db *DB) RenameKey(ctx context.Context, id int64, name string) (catalog.APIKey, error) {
	k, err := scanKey(db.Pool.QueryRow(ctx, `UPDATE api_keys k SET name = $2 WHERE k.id = $1 RETURNING `+keyCols, id, name))
	return k, wrap("keys: rename", err, "API key not found")
}

// RevokeKey deactivates a key for good (revoking twice keeps the first time).
func (db *DB) RevokeKey(ctx context.Context, id int64, now time.Time) (catalog.APIKey, error) {
	k, err := scanKey(db.Pool.QueryRow(ctx, `UPDATE api_keys k SET is_active = false, revoked_at = coalesce(revoked_at, $2)
		WHERE k.id = $1 RETURNING `+keyCols, id, now))
	return k, wrap("keys: revoke", err, "API key not found")
}

// KeyByHash returns a key and its account in one query.
func (db *DB) KeyByHash(ctx context.Context, hash []byte) (catalog.APIKey, catalog.User, error) {
	var u catalog.User
	dest, done := userDest(&u)
	k, err := scanKey(db.Pool.QueryRow(ctx, `SELECT `+keyCols+`, `+userCols+` FROM api_keys k JOIN users u ON u.id = k.user_id
		WHERE k.key_hash = $1`, hash), dest...)
	done()
	return k, u, wrap("keys: by hash", err, "API key not found")
}

// TouchKey refreshes last_used_at when it is more than a minute old, so a
// busy key writes at most once a minute.
func (db *DB) TouchKey(ctx context.Context, id int64, now time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE api_keys SET last_used_at = $2::timestamptz
		WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute' OR last_used_at > $2::timestamptz)`, id, now)
	return wrap("keys: touch", err, "")
}
