package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
)

// CreateScanSession stores a new pending session.
func (db *DB) CreateScanSession(ctx context.Context, s catalog.ScanSession) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO scan_sessions (id, user_id, token_hash, confirmation_code, status,
		created_at, last_activity_at, expires_at) VALUES ($1, $2, $3, $4, 'pending', $5, $5, $6)`,
		s.ID, s.UserID, s.TokenHash, s.ConfirmationCode, s.CreatedAt, s.ExpiresAt)
	return wrap("create scan session", err, "")
}

// ScanSession returns a session and its cards in index order.
func (db *DB) ScanSession(ctx context.Context, id string) (catalog.ScanSession, error) {
	var s catalog.ScanSession
	err := db.Pool.QueryRow(ctx, `SELECT id, user_id, token_hash, confirmation_code, status, device_name,
		created_at, last_activity_at, expires_at FROM scan_sessions WHERE id = $1`, id).Scan(
		&s.ID, &s.UserID, &s.TokenHash, &s.ConfirmationCode, &s.Status, &s.DeviceName,
		&s.CreatedAt, &s.LastActivityAt, &s.ExpiresAt)
	if err != nil {
		return s, wrap("scan session", err, "Scan session not found")
	}
	s.CreatedAt, s.LastActivityAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastActivityAt.UTC(), s.ExpiresAt.UTC()
	rows, err := db.Pool.Query(ctx, `SELECT card_index, image_path, image_url, captured_at, coalesce(scan_id, ''),
		status, recognition FROM scan_session_cards WHERE session_id = $1 ORDER BY card_index`, id)
	if err != nil {
		return s, wrap("scan session: cards", err, "")
	}
	s.Cards, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (catalog.ScanSessionCard, error) {
		var c catalog.ScanSessionCard
		var rec []byte
		err := r.Scan(&c.Index, &c.ImagePath, &c.ImageURL, &c.CapturedAt, &c.ScanID, &c.Status, &rec)
		if rec != nil {
			c.Recognition = json.RawMessage(rec)
		}
		return c, err
	})
	return s, wrap("scan session: cards", err, "")
}

// stateConflict explains a conditional update that matched no row: the
// session is gone (ENOTFOUND) or in the wrong state (ECONFLICT, msg).
func (db *DB) stateConflict(ctx context.Context, id, msg string) error {
	var status string
	err := db.Pool.QueryRow(ctx, `SELECT status FROM scan_sessions WHERE id = $1`, id).Scan(&status)
	if err != nil {
		return wrap("scan session", err, "Scan session not found")
	}
	return catalog.Errorf(catalog.ECONFLICT, "%s", msg)
}

// ClaimScanSession moves a pending session to claimed, once.
func (db *DB) ClaimScanSession(ctx context.Context, id, deviceName string, now time.Time) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE scan_sessions SET status = 'claimed', device_name = $2, last_activity_at = $3
		WHERE id = $1 AND status = 'pending'`, id, deviceName, now)
	if err != nil {
		return wrap("claim scan session", err, "")
	}
	if tag.RowsAffected() == 0 {
		return db.stateConflict(ctx, id, "Scan session already claimed")
	}
	return nil
}

// ReserveScanPhoto takes the next card index of an open session.
func (db *DB) ReserveScanPhoto(ctx context.Context, id string, now time.Time) (int, error) {
	var next int
	err := db.Pool.QueryRow(ctx, `UPDATE scan_sessions SET next_index = next_index + 1, status = 'active',
		last_activity_at = $2 WHERE id = $1 AND status IN ('claimed', 'active') AND next_index < $3
		RETURNING next_index - 1`, id, now, catalog.MaxScanSessionCards).Scan(&next)
	if err == pgx.ErrNoRows {
		return 0, db.openConflict(ctx, id)
	}
	return next, wrap("reserve scan photo", err, "")
}

// openConflict explains why an open-session update matched nothing.
func (db *DB) openConflict(ctx context.Context, id string) error {
	var status string
	var next int
	err := db.Pool.QueryRow(ctx, `SELECT status, next_index FROM scan_sessions WHERE id = $1`, id).Scan(&status, &next)
	if err != nil {
		return wrap("scan session", err, "Scan session not found")
	}
	switch {
	case status == catalog.ScanSessionPending:
		return catalog.Errorf(catalog.ECONFLICT, "Scan session not claimed yet")
	case status == catalog.ScanSessionCompleted:
		return catalog.Errorf(catalog.ECONFLICT, "Scan session already completed")
	default:
		return catalog.Errorf(catalog.ECONFLICT, "Scan session is full (%d cards)", catalog.MaxScanSessionCards)
	}
}

// PutScanCards upserts cards of an open session: a field left empty keeps
// its stored value.
func (db *DB) PutScanCards(ctx context.Context, id string, cards []catalog.ScanSessionCard, now time.Time) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE scan_sessions SET status = 'active', last_activity_at = $2
			WHERE id = $1 AND status IN ('claimed', 'active')`, id, now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return db.openConflict(ctx, id)
		}
		for _, c := range cards {
			var rec []byte
			if len(c.Recognition) > 0 {
				rec = c.Recognition
			}
			if _, err := tx.Exec(ctx, `INSERT INTO scan_session_cards AS c (session_id, card_index, image_path, image_url,
				captured_at, scan_id, status, recognition) VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), $7, $8)
				ON CONFLICT (session_id, card_index) DO UPDATE SET
				image_path = CASE WHEN EXCLUDED.image_path <> '' THEN EXCLUDED.image_path ELSE c.image_path END,
				image_url = CASE WHEN EXCLUDED.image_url <> '' THEN EXCLUDED.image_url ELSE c.image_url END,
				captured_at = coalesce(EXCLUDED.captured_at, c.captured_at),
				scan_id = coalesce(EXCLUDED.scan_id, c.scan_id),
				status = CASE WHEN EXCLUDED.status <> '' THEN EXCLUDED.status ELSE c.status END,
				recognition = coalesce(EXCLUDED.recognition, c.recognition)`,
				id, c.Index, c.ImagePath, c.ImageURL, c.CapturedAt, c.ScanID, c.Status, rec); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("put scan cards", err, "")
}

// CompleteScanSession closes an open (or still pending) session.
func (db *DB) CompleteScanSession(ctx context.Context, id string, now time.Time) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `UPDATE scan_sessions s SET status = 'completed', last_activity_at = $2
		WHERE id = $1 AND status IN ('claimed', 'active')
		RETURNING (SELECT count(*) FROM scan_session_cards c WHERE c.session_id = s.id)`, id, now).Scan(&n)
	if err == pgx.ErrNoRows {
		return 0, db.openConflict(ctx, id)
	}
	return n, wrap("complete scan session", err, "")
}

// DeleteExpiredScanSessions removes every session that ended before now.
func (db *DB) DeleteExpiredScanSessions(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `DELETE FROM scan_sessions WHERE expires_at <= $1
		OR (status <> 'completed' AND last_activity_at <= $2) RETURNING id`, now, now.Add(-catalog.ScanSessionIdle))
	if err != nil {
		return nil, wrap("purge scan sessions", err, "")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap("purge scan sessions", err, "")
}
