package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sync/errgroup"
)

// CardDocument returns GET /api/v2/cards/{id}'s JSON body: the card's stored
// document (card_docs, one primary-key read), or, for a card without one,
// the detail built live and encoded exactly as the route encodes it.
func (db *DB) CardDocument(ctx context.Context, id int64) ([]byte, error) {
	var body []byte
	err := db.Pool.QueryRow(ctx, `SELECT body FROM card_docs WHERE card_id = $1`, id).Scan(&body)
	if err == nil {
		return body, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, wrap("card document", err, "")
	}
	c, err := db.Card(ctx, id)
	if err != nil {
		return nil, err
	}
	body, err = json.Marshal(c)
	return body, wrap("card document", err, "")
}

// docChunk is how many cards one render round trip covers.
const docChunk = 2000

// execer runs one statement: a pool, a connection or a transaction.
type execer interface {
	batcher
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// renderCardDocs stores the documents of the cards among ids (ascending),
// docChunk cards per round trip: five set-based reads, the JSON encoding in
// Go (the same encoder the route uses, so the bytes are the live answer's)
// and one upsert.
func renderCardDocs(ctx context.Context, q execer, ids []int64) error {
	for start := 0; start < len(ids); start += docChunk {
		chunk := ids[start:min(start+docChunk, len(ids))]
		cards, err := loadCards(ctx, q, chunk, true)
		if err != nil {
			return fmt.Errorf("card docs: %w", err)
		}
		keys := make([]int64, len(cards))
		bodies := make([][]byte, len(cards))
		for i, c := range cards {
			keys[i] = c.ID
			if bodies[i], err = json.Marshal(c); err != nil {
				return fmt.Errorf("card docs: %w", err)
			}
		}
		if _, err := q.Exec(ctx, `INSERT INTO card_docs (card_id, body)
			SELECT * FROM unnest($1::bigint[], $2::bytea[])
			ON CONFLICT (card_id) DO UPDATE SET body = EXCLUDED.body`, keys, bodies); err != nil {
			return fmt.Errorf("card docs: store: %w", err)
		}
	}
	return nil
}

// refreshCardDocs re-renders the documents of the cards that cardsSQL
// (one bigint column) selects, inside tx.
func refreshCardDocs(ctx context.Context, tx pgx.Tx, cardsSQL string, args ...any) error {
	rows, _ := tx.Query(ctx, `SELECT DISTINCT id FROM (`+cardsSQL+`) x(id) ORDER BY id`, args...)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("card docs: select: %w", err)
	}
	return renderCardDocs(ctx, tx, ids)
}

// renderCardDocsParallel renders the documents of cards [from, to] (ids)
// over `workers` connections, one transaction per chunk: the set-based
// refresh after a bulk load.
func (db *DB) renderCardDocsParallel(ctx context.Context, from, to int64, workers int) error {
	g, gctx := errgroup.WithContext(ctx)
	next := make(chan []int64)
	g.Go(func() error {
		defer close(next)
		for lo := from; lo <= to; lo += docChunk {
			ids := make([]int64, 0, docChunk)
			for id := lo; id <= min(lo+docChunk-1, to); id++ {
				ids = append(ids, id)
			}
			select {
			case next <- ids:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	for w := 0; w < max(workers, 1); w++ {
		g.Go(func() error {
			for ids := range next {
				err := pgx.BeginFunc(gctx, db.Pool, func(tx pgx.Tx) error { return renderCardDocs(gctx, tx, ids) })
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}
