package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
)

var _ collection.BatchScanStore = (*DB)(nil)

// CollectionBatchScans lists the scans of the user's bulk batch in
// submission order, each with the card its owner last confirmed through
// feedback; ENOTFOUND when the batch is absent or another user's.
func (db *DB) CollectionBatchScans(ctx context.Context, userID int64, batchID string) ([]collection.BatchScan, error) {
	var one int
	err := db.Pool.QueryRow(ctx, `SELECT 1 FROM scan_batches WHERE id = $1 AND user_id = $2`, batchID, userID).Scan(&one)
	if err != nil {
		return nil, wrap("collection: batch", err, "Batch not found")
	}
	rows, err := db.Pool.Query(ctx, `SELECT coalesce(sc.batch_index, 0), sc.id, sc.status, sc.result,
		coalesce((SELECT f.card_id FROM scan_feedback f WHERE f.scan_id = sc.id ORDER BY f.created_at DESC, f.id DESC LIMIT 1), 0)
		FROM scans sc WHERE sc.batch_id = $1 ORDER BY sc.batch_index`, batchID)
	if err != nil {
		return nil, wrap("collection: batch scans", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (collection.BatchScan, error) {
		var b collection.BatchScan
		var res []byte
		if err := r.Scan(&b.Index, &b.ScanID, &b.Status, &res, &b.Confirmed); err != nil {
			return b, err
		}
		if res != nil {
			var sr catalog.ScanResult
			if err := json.Unmarshal(res, &sr); err != nil {
				return b, err
			}
			b.Result = &sr
		}
		return b, nil
	})
	return out, wrap("collection: batch scans", err, "")
}
