package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
)

var _ catalog.RetrainStore = (*DB)(nil)

// UnusedFeedback lists confirmed pairs no model has trained on, oldest
// first, each with the confirmed card's first catalogue image that has a
// local file (pairs whose card has none are left out).
func (db *DB) UnusedFeedback(ctx context.Context, limit int) ([]catalog.FeedbackPair, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT f.id, f.scan_id, f.card_id, f.image_path, g.path
		FROM scan_feedback f
		JOIN LATERAL (SELECT i.path FROM images i WHERE i.card_id = f.card_id AND i.path IS NOT NULL
		              ORDER BY i.position, i.id LIMIT 1) g ON true
		WHERE f.used_in IS NULL
		ORDER BY f.id LIMIT $1`, limit)
	if err != nil {
		return nil, wrap("unused feedback", err, "")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[catalog.FeedbackPair])
	return out, wrap("unused feedback", err, "")
}

// MarkFeedbackUsed records that version trained on the pairs.
func (db *DB) MarkFeedbackUsed(ctx context.Context, ids []int64, version string) error {
	_, err := db.Pool.Exec(ctx, `UPDATE scan_feedback SET used_in = $2 WHERE id = ANY($1)`, ids, version)
	return wrap("mark feedback used", err, "")
}

// GalleryImages lists one catalogue image per card (the first with a local
// file), by card id.
func (db *DB) GalleryImages(ctx context.Context) ([]catalog.GalleryImage, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT DISTINCT ON (card_id) card_id, path FROM images WHERE path IS NOT NULL
		ORDER BY card_id, position, id`)
	if err != nil {
		return nil, wrap("gallery images", err, "")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[catalog.GalleryImage])
	return out, wrap("gallery images", err, "")
}

// ModelVersions lists every indexed embedding-model version.
func (db *DB) ModelVersions(ctx context.Context) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT version FROM embedding_models ORDER BY created_at, version`)
	if err != nil {
		return nil, wrap("model versions", err, "")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrap("model versions", err, "")
}

// ActiveModelFile returns the active version and its recorded file; the
// zero value when no version is active.
func (db *DB) ActiveModelFile(ctx context.Context) (catalog.ModelFile, error) {
	var m catalog.ModelFile
	err := db.Pool.QueryRow(ctx, `SELECT version, coalesce(model_path, '') FROM embedding_models WHERE active`).Scan(&m.Version, &m.Path)
	if err == pgx.ErrNoRows {
		return catalog.ModelFile{}, nil
	}
	return m, wrap("active model", err, "")
}

// SetModelFile records a version's model file and promotion metrics.
func (db *DB) SetModelFile(ctx context.Context, version, path string, metrics []byte) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE embedding_models SET model_path = $2, metrics = $3 WHERE version = $1`, version, path, metrics)
	if err == nil && tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "model %s is not indexed", version)
	}
	return wrap("set model file", err, "")
}
