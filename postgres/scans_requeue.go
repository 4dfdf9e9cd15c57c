package postgres

import (
	"context"
	"time"
)

// WaitingScans returns the ids of scans still queued or running that were
// created before before (and within the day before it), oldest first, at
// most limit: the candidates of the worker's re-queue sweep.
func (db *DB) WaitingScans(ctx context.Context, before time.Time, limit int) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id FROM scans
		WHERE status IN ('queued', 'running') AND created_at < $1 AND created_at > $1 - interval '1 day'
		ORDER BY created_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, wrap("waiting scans", err, "")
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("waiting scans", err, "")
		}
		ids = append(ids, id)
	}
	return ids, wrap("waiting scans", rows.Err(), "")
}
