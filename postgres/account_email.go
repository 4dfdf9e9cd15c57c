package postgres

import (
	"context"
	"time"

	"github.com/collectorstash/csm/accountmail"
	"github.com/collectorstash/csm/catalog"
)

var _ accountmail.Store = (*DB)(nil)

// CreateEmailToken stores a verification or reset token by its hash.
func (db *DB) CreateEmailToken(ctx context.Context, t accountmail.Token) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO account_email_tokens (token_hash, user_id, purpose, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, t.Hash, t.UserID, string(t.Purpose), t.CreatedAt, t.ExpiresAt)
	return wrap("account email: create token", err, "")
}

// UseEmailToken marks a live token used, once: the conditional UPDATE lets
// only one caller win.
func (db *DB) UseEmailToken(ctx context.Context, hash []byte, p accountmail.Purpose, now time.Time) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `UPDATE account_email_tokens SET used_at = $3
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id`,
		hash, string(p), now).Scan(&id)
	if err != nil {
		if e := wrap("account email: use token", err, "x"); catalog.ErrorCode(e) == catalog.ENOTFOUND {
			return 0, catalog.Errorf(catalog.EINVALID, "Invalid or expired token")
		}
		return 0, wrap("account email: use token", err, "")
	}
	return id, nil
}

// MarkEmailVerified records when the account's address was verified.
func (db *DB) MarkEmailVerified(ctx context.Context, id int64, at time.Time) error {
	_, err := db.Pool.Exec(ctx, `UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1`, id, at)
	return wrap("account email: mark verified", err, "")
}

// EmailVerifiedAt is when the account's address was verified (nil: not yet).
func (db *DB) EmailVerifiedAt(ctx context.Context, id int64) (*time.Time, error) {
	var at *time.Time
	err := db.Pool.QueryRow(ctx, `SELECT email_verified_at FROM users WHERE id = $1`, id).Scan(&at)
	return at, wrap("account email: verified at", err, "User not found")
}
