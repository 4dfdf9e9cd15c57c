// Package vectors is the pgvector index of catalogue image embeddings: one
// table with an HNSW (cosine) index per embedding-model version, the active
// version searched, and a rebuild that fills a new version's table while the
// old one keeps serving, then switches atomically.
package vectors

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/collectorstash/csm/catalog"
)

// Index implements catalog.VectorIndex on Postgres + pgvector.
type Index struct {
	pool *pgxpool.Pool
	// EfSearch is hnsw.ef_search for queries (recall vs speed); 0 = default 100.
	EfSearch int
}

var _ catalog.VectorIndex = (*Index)(nil)

// New returns an index on pool.
func New(pool *pgxpool.Pool) *Index { return &Index{pool: pool} }

var versionRe = regexp.MustCompile(`[^a-z0-9]+`)

// TableName is the per-version embeddings table.
func TableName(version string) string {
	return "emb_" + strings.Trim(versionRe.ReplaceAllString(strings.ToLower(version), "_"), "_")
}

// Ensure creates the table and HNSW index for a model version (idempotent).
func (x *Index) Ensure(ctx context.Context, version string, dim int) error {
	if dim < 1 || dim > 2000 {
		return catalog.Errorf(catalog.EINVALID, "vectors: dimension %d out of range", dim)
	}
	t := TableName(version)
	return pgx.BeginFunc(ctx, x.pool, func(tx pgx.Tx) error {
		var have int
		err := tx.QueryRow(ctx, `SELECT dim FROM embedding_models WHERE version = $1`, version).Scan(&have)
		if err == nil && have != dim {
			return catalog.Errorf(catalog.ECONFLICT, "vectors: model %s already indexed with dim %d", version, have)
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(`
			CREATE TABLE IF NOT EXISTS %[1]s (
				image_id  bigint PRIMARY KEY REFERENCES images ON DELETE CASCADE,
				card_id   bigint NOT NULL REFERENCES cards ON DELETE CASCADE,
				game_id   bigint NOT NULL,
				embedding vector(%[2]d) NOT NULL
			)`, pgx.Identifier{t}.Sanitize(), dim)); err != nil {
			return fmt.Errorf("vectors: create table: %w", err)
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s USING hnsw (embedding vector_cosine_ops)`,
			pgx.Identifier{t + "_hnsw"}.Sanitize(), pgx.Identifier{t}.Sanitize())); err != nil {
			return fmt.Errorf("vectors: create index: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO embedding_models (version, dim, table_name) VALUES ($1, $2, $3)
			ON CONFLICT (version) DO NOTHING`, version, dim, t)
		return err
	})
}

// Entry is one image embedding to store.
type Entry struct {
	ImageID, CardID, GameID int64
	Vector                  []float32
}

// Upsert writes embeddings for a model version.
func (x *Index) Upsert(ctx context.Context, version string, entries []Entry) error {
	t := pgx.Identifier{TableName(version)}.Sanitize()
	b := &pgx.Batch{}
	for _, e := range entries {
		b.Queue(`INSERT INTO `+t+` (image_id, card_id, game_id, embedding) VALUES ($1, $2, $3, $4)
			ON CONFLICT (image_id) DO UPDATE SET embedding = EXCLUDED.embedding, card_id = EXCLUDED.card_id`,
			e.ImageID, e.CardID, e.GameID, pgvector.NewVector(e.Vector))
	}
	if err := x.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("vectors: upsert: %w", err)
	}
	return nil
}

// Activate makes version the searched one, atomically.
func (x *Index) Activate(ctx context.Context, version string) error {
	return pgx.BeginFunc(ctx, x.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE embedding_models SET active = false WHERE active AND version <> $1`, version); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE embedding_models SET active = true, activated_at = now() WHERE version = $1`, version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return catalog.Errorf(catalog.ENOTFOUND, "vectors: model %s not indexed", version)
		}
		return nil
	})
}

// Active returns the active model version ("" when none).
func (x *Index) Active(ctx context.Context) (string, error) {
	var v string
	err := x.pool.QueryRow(ctx, `SELECT version FROM embedding_models WHERE active`).Scan(&v)
	if err == pgx.ErrNoRows {
		return "", nil
	}
	return v, err
}

// Search returns the k nearest catalogue images to vec under model (the
// active one when ""), optionally within one game (slug or alias). pgvector's
// iterative HNSW scan keeps filtered searches from returning too few rows.
func (x *Index) Search(ctx context.Context, model string, vec []float32, k int, game string) ([]catalog.Neighbor, error) {
	if model == "" {
		var err error
		if model, err = x.Active(ctx); err != nil {
			return nil, fmt.Errorf("vectors: active model: %w", err)
		}
		if model == "" {
			return nil, catalog.Errorf(catalog.EUNAVAILABLE, "no embedding index is active; run `csm index`")
		}
	}
	ef := x.EfSearch
	if ef <= 0 {
		ef = 100
	}
	t := pgx.Identifier{TableName(model)}.Sanitize()
	var out []catalog.Neighbor
	err := pgx.BeginFunc(ctx, x.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL hnsw.ef_search = %d; SET LOCAL hnsw.iterative_scan = relaxed_order", ef)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT e.image_id, e.card_id, e.embedding <=> $1 AS d, coalesce(i.path, '')
			FROM `+t+` e JOIN images i ON i.id = e.image_id
			WHERE ($3 = '' OR e.game_id = (SELECT id FROM games WHERE slug = $3 OR $3 = ANY(aliases) ORDER BY slug = $3 DESC LIMIT 1))
			ORDER BY e.embedding <=> $1 LIMIT $2`, pgvector.NewVector(vec), k, game)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (catalog.Neighbor, error) {
			var n catalog.Neighbor
			err := r.Scan(&n.ImageID, &n.CardID, &n.Distance, &n.Path)
			return n, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("vectors: search: %w", err)
	}
	return out, nil
}

// Image is a catalogue image still to embed.
type Image struct {
	ID, CardID, GameID int64
	Path               string
}

// Missing lists catalogue images with a local file that version lacks, with
// ids above after.
func (x *Index) Missing(ctx context.Context, version string, after int64, limit int) ([]Image, error) {
	t := pgx.Identifier{TableName(version)}.Sanitize()
	rows, err := x.pool.Query(ctx, `
		SELECT i.id, i.card_id, c.game_id, i.path FROM images i JOIN cards c ON c.id = i.card_id
		WHERE i.path IS NOT NULL AND i.id > $2 AND NOT EXISTS (SELECT 1 FROM `+t+` e WHERE e.image_id = i.id)
		ORDER BY i.id LIMIT $1`, limit, after)
	if err != nil {
		return nil, fmt.Errorf("vectors: missing: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Image])
}

// CountMissing counts catalogue images that version lacks.
func (x *Index) CountMissing(ctx context.Context, version string) (int, error) {
	t := pgx.Identifier{TableName(version)}.Sanitize()
	var n int
	err := x.pool.QueryRow(ctx, `SELECT count(*) FROM images i WHERE i.path IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM `+t+` e WHERE e.image_id = i.id)`).Scan(&n)
	return n, err
}
