package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/collectorstash/csm/catalog"
)

var _ catalog.AccountStore = (*DB)(nil)

const userCols = `u.id, u.username, u.email, u.display_name, u.country, u.tier, u.is_admin, u.is_seller,
	u.created_at, u.password_hash, u.delete_after`

// userDest returns the scan destinations of userCols; call done after Scan.
func userDest(u *catalog.User) (dest []any, done func()) {
	var tier string
	return []any{&u.ID, &u.Username, &u.Email, &u.DisplayName, &u.Country, &tier, &u.IsAdmin, &u.IsSeller,
			&u.CreatedAt, &u.PasswordHash, &u.DeleteAfter}, func() {
			u.Tier = catalog.Tier(tier).Limits().Tier // legacy names resolve; unknown → free
			u.CreatedAt = u.CreatedAt.UTC()
		}
}

func scanUser(r pgx.Row) (catalog.User, error) {
	var u catalog.User
	dest, done := userDest(&u)
	err := r.Scan(dest...)
	done()
	return u, err
}

// CreateUser adds an account; a duplicate username or e-mail is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, n catalog.NewUser) (catalog.User, error) {
	tier := n.Tier
	if tier == "" {
		tier = catalog.TierFree
	}
	u, err := scanUser(db.Pool.QueryRow(ctx, `INSERT INTO users AS u (username, email, password_hash, display_name, country, tier, created_at)
		VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, $7) RETURNING `+userCols,
		n.Username, n.Email, n.PasswordHash, n.DisplayName, n.Country, string(tier), n.CreatedAt))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		if pgErr.ConstraintName == "users_email_key" {
			return u, catalog.Errorf(catalog.ECONFLICT, "email already registered")
		}
		return u, catalog.Errorf(catalog.ECONFLICT, "username already taken")
	}
	return u, wrap("accounts: create user", err, "")
}

// UserByLogin finds an account by username, or by e-mail when login has '@'.
func (db *DB) UserByLogin(ctx context.Context, login string) (catalog.User, error) {
	col := "username"
	if strings.Contains(login, "@") {
		col = "email"
	}
	u, err := scanUser(db.Pool.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.`+col+` = $1`, toLower(login)))
	return u, wrap("accounts: user by login", err, "User not found")
}

// User returns one account.
func (db *DB) User(ctx context.Context, id int64) (catalog.User, error) {
	u, err := scanUser(db.Pool.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1`, id))
	return u, wrap("accounts: user", err, "User not found")
}

// UpdateProfile sets the non-nil profile fields; "" clears a field.
func (db *DB) UpdateProfile(ctx context.Context, id int64, p catalog.Profile) (catalog.User, error) {
	u, err := scanUser(db.Pool.QueryRow(ctx, `UPDATE users u SET
		display_name = CASE WHEN $2::boolean THEN NULLIF($3, '') ELSE display_name END,
		country      = CASE WHEN $4::boolean THEN NULLIF($5, '') ELSE country END
		WHERE u.id = $1 RETURNING `+userCols,
		id, p.DisplayName != nil, deref(p.DisplayName), p.Country != nil, deref(p.Country)))
	return u, wrap("accounts: update profile", err, "User not found")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// SetPassword replaces the hash and ends every session of the user, in one
// transaction.
func (db *DB) SetPassword(ctx context.Context, id int64, hash string) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, id, hash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
	return wrap("accounts: set password", err, "User not found")
}

// ScheduleDeletion flags (at set) or unflags (nil) the account.
func (db *DB) ScheduleDeletion(ctx context.Context, id int64, at *time.Time) (catalog.User, error) {
	u, err := scanUser(db.Pool.QueryRow(ctx, `UPDATE users u SET delete_after = $2 WHERE u.id = $1 RETURNING `+userCols, id, at))
	return u, wrap("accounts: schedule deletion", err, "User not found")
}

// SetTier changes an account's subscription tier.
func (db *DB) SetTier(ctx context.Context, username string, t catalog.Tier) (catalog.User, error) {
	u, err := scanUser(db.Pool.QueryRow(ctx, `UPDATE users u SET tier = $2 WHERE u.username = $1 RETURNING `+userCols,
		toLower(username), string(t)))
	return u, wrap("accounts: set tier", err, "User not found")
}

// SetAdmin grants or removes is_admin.
func (db *DB) SetAdmin(ctx context.Context, username string, admin bool) (catalog.User, error) {
	u, err := scanUser(db.Pool.QueryRow(ctx, `UPDATE users u SET is_admin = $2 WHERE u.username = $1 RETURNING `+userCols,
		toLower(username), admin))
	return u, wrap("accounts: set admin", err, "User not found")
}

// PurgeDeleted removes accounts past their deletion time (their sessions and
// keys go with them) and expired sessions.
func (db *DB) PurgeDeleted(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE delete_after <= $1`, now)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now)
		return err
	})
	return n, wrap("accounts: purge", err, "")
}

// CreateSession stores a session by the hash of its id.
func (db *DB) CreateSession(ctx context.Context, s catalog.Session) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		s.IDHash, s.UserID, s.CreatedAt, s.ExpiresAt)
	return wrap("accounts: create session", err, "")
}

// SessionUser returns the user of a live session.
func (db *DB) SessionUser(ctx context.Context, idHash []byte, now time.Time) (catalog.User, error) {
	u, err := scanUser(db.Pool.QueryRow(ctx, `SELECT `+userCols+` FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND s.expires_at > $2`, idHash, now))
	return u, wrap("accounts: session user", err, "Session not found")
}

// DeleteSession ends one session (no error when it is already gone).
func (db *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
	return wrap("accounts: delete session", err, "")
}
