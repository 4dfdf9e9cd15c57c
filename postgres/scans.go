package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/scanning"
)

var (
	_ scanning.Store             = (*DB)(nil)
	_ catalog.RecognitionCatalog = (*DB)(nil)
)

// CreateScan stores a queued scan.
func (db *DB) CreateScan(ctx context.Context, s catalog.Scan) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO scans (id, batch_id, batch_index, user_id, tcg_slug, image_path, debug)
		VALUES ($1, NULLIF($2, ''), $3, NULLIF($4, 0), $5, $6, $7)`,
		s.ID, s.BatchID, s.Index, s.UserID, s.TCGSlug, s.ImagePath, s.Debug)
	return wrap("create scan", err, "")
}

// CreateBatch stores a batch and its queued scans in one transaction.
func (db *DB) CreateBatch(ctx context.Context, b catalog.Batch) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO scan_batches (id, user_id, total) VALUES ($1, NULLIF($3, 0), $2)`, b.ID, b.Total, b.UserID); err != nil {
			return err
		}
		for _, s := range b.Scans {
			if _, err := tx.Exec(ctx, `INSERT INTO scans (id, batch_id, batch_index, user_id, tcg_slug, image_path, debug)
				VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7)`, s.ID, b.ID, s.Index, s.UserID, s.TCGSlug, s.ImagePath, s.Debug); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("create batch", err, "")
}

const scanCols = `id, coalesce(batch_id, ''), coalesce(batch_index, 0), coalesce(user_id, 0), tcg_slug, image_path,
	debug, status, result, coalesce(error_code, ''), coalesce(error, ''), created_at`

func scanScan(r pgx.Row) (catalog.Scan, error) {
	var s catalog.Scan
	var res []byte
	err := r.Scan(&s.ID, &s.BatchID, &s.Index, &s.UserID, &s.TCGSlug, &s.ImagePath, &s.Debug, &s.Status, &res,
		&s.ErrorCode, &s.Error, &s.CreatedAt)
	if err == nil && res != nil {
		s.Result = new(catalog.ScanResult)
		err = json.Unmarshal(res, s.Result)
	}
	return s, err
}

// Scan returns one scan with its result.
func (db *DB) Scan(ctx context.Context, id string) (catalog.Scan, error) {
	s, err := scanScan(db.Pool.QueryRow(ctx, `SELECT `+scanCols+` FROM scans WHERE id = $1`, id))
	return s, wrap("scan", err, "Scan not found")
}

// Batch returns a batch with its scans in submission order.
func (db *DB) Batch(ctx context.Context, id string) (catalog.Batch, error) {
	var b catalog.Batch
	err := db.Pool.QueryRow(ctx, `SELECT id, coalesce(user_id, 0), total, created_at FROM scan_batches WHERE id = $1`, id).Scan(&b.ID, &b.UserID, &b.Total, &b.CreatedAt)
	if err != nil {
		return b, wrap("batch", err, "Batch not found")
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+scanCols+` FROM scans WHERE batch_id = $1 ORDER BY batch_index`, id)
	if err != nil {
		return b, wrap("batch: scans", err, "")
	}
	b.Scans, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (catalog.Scan, error) { return scanScan(r) })
	return b, wrap("batch: scans", err, "")
}

// StartScan marks a scan running unless it already finished.
func (db *DB) StartScan(ctx context.Context, id string) (bool, error) {
	var status string
	err := db.Pool.QueryRow(ctx, `UPDATE scans SET status = CASE WHEN status IN ('done', 'failed') THEN status ELSE 'running' END
		WHERE id = $1 RETURNING status`, id).Scan(&status)
	if err != nil {
		return false, wrap("start scan", err, "Scan not found")
	}
	return status == "running", nil
}

// FinishScan stores the outcome exactly once and, in the same transaction,
// the recognition on every scan-session card waiting for the scan (the
// session cards are written with the result, never repaired later).
func (db *DB) FinishScan(ctx context.Context, o scanning.Outcome) (scanning.Finished, error) {
	var fin scanning.Finished
	var body []byte
	if o.Status == catalog.ScanDone {
		var err error
		if body, err = json.Marshal(o.Result); err != nil {
			return fin, fmt.Errorf("finish scan: %w", err)
		}
	}
	card := catalog.ScanCardFailed
	if o.Status == catalog.ScanDone {
		card = catalog.ScanCardDone
	}
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var batch *string
		err := tx.QueryRow(ctx, `UPDATE scans SET status = $2, result = $3, error_code = NULLIF($4, ''), error = NULLIF($5, ''),
			finished_at = now() WHERE id = $1 AND status NOT IN ('done', 'failed') RETURNING batch_id`,
			o.ScanID, o.Status, body, o.ErrorCode, o.Error).Scan(&batch)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // finished before: nothing changes
		}
		if err != nil {
			return err
		}
		fin.Stored = true
		if batch != nil {
			fin.BatchID = *batch
		}
		rows, err := tx.Query(ctx, `UPDATE scan_session_cards SET status = $2, recognition = $3
			WHERE scan_id = $1 RETURNING session_id, card_index`, o.ScanID, card, []byte(o.Recognition))
		if err != nil {
			return err
		}
		fin.Cards, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (scanning.CardRef, error) {
			var c scanning.CardRef
			return c, r.Scan(&c.SessionID, &c.Index)
		})
		return err
	})
	return fin, wrap("finish scan", err, "")
}

// AddFeedback stores a confirmed (scan, card) pair.
func (db *DB) AddFeedback(ctx context.Context, scanID string, cardID int64, imagePath string) error {
	_, err := db.Pool.Exec(ctx, `INSERT INTO scan_feedback (scan_id, card_id, image_path) VALUES ($1, $2, $3)`, scanID, cardID, imagePath)
	return wrap("add feedback", err, "")
}

// CardGame returns the game slug of a card.
func (db *DB) CardGame(ctx context.Context, cardID int64) (string, error) {
	var slug string
	err := db.Pool.QueryRow(ctx, `SELECT g.slug FROM cards c JOIN games g ON g.id = c.game_id WHERE c.id = $1`, cardID).Scan(&slug)
	return slug, wrap("card game", err, "Card not found")
}

const cardInfoSQL = `SELECT c.id, c.name, c.collector_number, s.id, s.name, s.code, g.slug,
	coalesce((SELECT path FROM images i WHERE i.card_id = c.id AND i.path IS NOT NULL ORDER BY i.position, i.id LIMIT 1), '')
	FROM cards c JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id `

func collectInfos(rows pgx.Rows) ([]catalog.CardInfo, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (catalog.CardInfo, error) {
		var c catalog.CardInfo
		err := r.Scan(&c.ID, &c.Name, &c.Number, &c.SetID, &c.SetName, &c.SetCode, &c.Game, &c.ImagePath)
		return c, err
	})
}

// CardsByIDs returns card facts by id.
func (db *DB) CardsByIDs(ctx context.Context, ids []int64) (map[int64]catalog.CardInfo, error) {
	rows, err := db.Pool.Query(ctx, cardInfoSQL+`WHERE c.id = ANY($1)`, ids)
	if err != nil {
		return nil, wrap("cards by ids", err, "")
	}
	infos, err := collectInfos(rows)
	if err != nil {
		return nil, wrap("cards by ids", err, "")
	}
	out := make(map[int64]catalog.CardInfo, len(infos))
	for _, c := range infos {
		out[c.ID] = c
	}
	return out, nil
}

// CardsByNumbers returns cards by collector number (full or before "/").
func (db *DB) CardsByNumbers(ctx context.Context, game string, numbers []string) ([]catalog.CardInfo, error) {
	rows, err := db.Pool.Query(ctx, cardInfoSQL+`WHERE c.collector_number = ANY($2)
		AND ($1 = '' OR g.slug = $1 OR $1 = ANY(g.aliases)) ORDER BY c.id LIMIT 200`, game, numbers)
	if err != nil {
		return nil, wrap("cards by numbers", err, "")
	}
	out, err := collectInfos(rows)
	return out, wrap("cards by numbers", err, "")
}

// CardsByNames returns cards by exact (case-insensitive) name.
func (db *DB) CardsByNames(ctx context.Context, game string, names []string) ([]catalog.CardInfo, error) {
	rows, err := db.Pool.Query(ctx, cardInfoSQL+`WHERE lower(c.name) = ANY($2)
		AND ($1 = '' OR g.slug = $1 OR $1 = ANY(g.aliases)) ORDER BY c.id LIMIT 200`, game, lowerAll(names))
	if err != nil {
		return nil, wrap("cards by names", err, "")
	}
	out, err := collectInfos(rows)
	return out, wrap("cards by names", err, "")
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = toLower(s)
	}
	return out
}
