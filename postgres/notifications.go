package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/notify"
)

var _ notify.Store = (*DB)(nil)

const notificationCols = `id, user_id, kind, title, body, url, data, is_read, created_at`

func scanNotification(r pgx.Row) (notify.Notification, error) {
	var n notify.Notification
	var kind string
	err := r.Scan(&n.ID, &n.UserID, &kind, &n.Title, &n.Body, &n.URL, &n.Data, &n.IsRead, &n.CreatedAt)
	n.Kind, n.CreatedAt = notify.Kind(kind), n.CreatedAt.UTC()
	return n, err
}

func collectNotifications(rows pgx.Rows) ([]notify.Notification, error) {
	defer rows.Close()
	out := []notify.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// InsertNotification records one notification.
func (db *DB) InsertNotification(ctx context.Context, n notify.Notification) (notify.Notification, error) {
	out, err := scanNotification(db.Pool.QueryRow(ctx, `INSERT INTO notifications (user_id, kind, title, body, url, data)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+notificationCols, n.UserID, string(n.Kind), n.Title, n.Body, n.URL, n.Data))
	return out, wrap("notifications: insert", err, "")
}

// Notifications pages a user's feed, newest first.
func (db *DB) Notifications(ctx context.Context, userID int64, q notify.ListQuery) ([]notify.Notification, int, error) {
	const where = ` WHERE user_id = $1 AND ($2 = '' OR kind = $2) AND (NOT $3 OR NOT is_read)`
	var total int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications`+where, userID, string(q.Kind), q.UnreadOnly).Scan(&total); err != nil {
		return nil, 0, wrap("notifications: count", err, "")
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+notificationCols+` FROM notifications`+where+`
		ORDER BY id DESC LIMIT $4 OFFSET $5`, userID, string(q.Kind), q.UnreadOnly, q.Limit, q.Offset)
	if err != nil {
		return nil, 0, wrap("notifications: list", err, "")
	}
	out, err := collectNotifications(rows)
	return out, total, wrap("notifications: list", err, "")
}

// UnreadCounts counts a user's unread notifications per kind.
func (db *DB) UnreadCounts(ctx context.Context, userID int64) (map[notify.Kind]int, error) {
	rows, err := db.Pool.Query(ctx, `SELECT kind, count(*) FROM notifications WHERE user_id = $1 AND NOT is_read GROUP BY kind`, userID)
	if err != nil {
		return nil, wrap("notifications: unread", err, "")
	}
	defer rows.Close()
	out := map[notify.Kind]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, wrap("notifications: unread", err, "")
		}
		out[notify.Kind(k)] = n
	}
	return out, wrap("notifications: unread", rows.Err(), "")
}

// MarkNotificationRead marks one of the user's notifications read.
func (db *DB) MarkNotificationRead(ctx context.Context, userID, id int64) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE notifications SET is_read = true WHERE id = $2 AND user_id = $1`, userID, id)
	if err != nil {
		return wrap("notifications: read", err, "")
	}
	if tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Notification not found")
	}
	return nil
}

// MarkNotificationsRead marks the user's unread notifications (of kind,
// "" = all) read.
func (db *DB) MarkNotificationsRead(ctx context.Context, userID int64, kind notify.Kind) (int64, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE notifications SET is_read = true
		WHERE user_id = $1 AND NOT is_read AND ($2 = '' OR kind = $2)`, userID, string(kind))
	if err != nil {
		return 0, wrap("notifications: read all", err, "")
	}
	return tag.RowsAffected(), nil
}

// NotificationSettings returns the user's settings (defaults when unset).
func (db *DB) NotificationSettings(ctx context.Context, userID int64) (notify.Settings, error) {
	var s notify.Settings
	err := db.Pool.QueryRow(ctx, `SELECT coalesce((SELECT email_enabled FROM notification_settings WHERE user_id = $1), false)`,
		userID).Scan(&s.EmailEnabled)
	return s, wrap("notifications: settings", err, "")
}

// SetNotificationSettings stores the user's settings.
func (db *DB) SetNotificationSettings(ctx context.Context, userID int64, s notify.Settings) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO notification_settings (user_id, email_enabled, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (user_id) DO UPDATE SET email_enabled = EXCLUDED.email_enabled, updated_at = now()`, userID, s.EmailEnabled)
	return wrap("notifications: settings", err, "")
}

// EmailRecipients returns the addresses of the users among ids who enabled
// e-mail notifications (accounts past their deletion time excluded).
func (db *DB) EmailRecipients(ctx context.Context, ids []int64) (map[int64]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT u.id, u.email FROM users u JOIN notification_settings s ON s.user_id = u.id
		WHERE u.id = ANY($1) AND s.email_enabled AND (u.delete_after IS NULL OR u.delete_after > now())`, ids)
	if err != nil {
		return nil, wrap("notifications: recipients", err, "")
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var e string
		if err := rows.Scan(&id, &e); err != nil {
			return nil, wrap("notifications: recipients", err, "")
		}
		out[id] = e
	}
	return out, wrap("notifications: recipients", rows.Err(), "")
}
