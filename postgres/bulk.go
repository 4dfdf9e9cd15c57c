package postgres

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/generator"
)

// BulkReport says what a synthetic load wrote and how fast the points went in.
type BulkReport struct {
	Games, Sets, Cards, Variants int
	Series                       int64
	Points                       int64
	PointsTook                   time.Duration
	DocsTook                     time.Duration // rendering the card documents
	YearsTook                    time.Duration // filling the price_years history rows
	Took                         time.Duration
}

// PointsPerSecond is the price-point ingest rate.
func (r BulkReport) PointsPerSecond() float64 {
	if r.PointsTook <= 0 {
		return 0
	}
	return float64(r.Points) / r.PointsTook.Seconds()
}

// LoadSynthetic writes the catalogue described by spec with COPY: games,
// sets, cards, printings, variants and series first, then the price points
// over `writers` parallel connections (disjoint series ranges, each streamed
// in primary-key order), then the latest-price table and the counters.
// Existing synthetic games are replaced.
func (db *DB) LoadSynthetic(ctx context.Context, spec generator.Spec, writers int, progress catalog.Progress) (BulkReport, error) {
	start := time.Now()
	var rep BulkReport
	if err := spec.Validate(); err != nil {
		return rep, catalog.Errorf(catalog.EINVALID, "%v", err)
	}
	if progress == nil {
		progress = catalog.NopProgress{}
	}
	if err := db.dropSynthetic(ctx); err != nil {
		return rep, err
	}
	var base struct{ game, set, card, printing, variant, series int64 }
	err := db.Pool.QueryRow(ctx, `SELECT
		(SELECT coalesce(max(id), 0) FROM games), (SELECT coalesce(max(id), 0) FROM sets),
		(SELECT coalesce(max(id), 0) FROM cards), (SELECT coalesce(max(id), 0) FROM printings),
		(SELECT coalesce(max(id), 0) FROM variants), (SELECT coalesce(max(id), 0) FROM price_series)`).
		Scan(&base.game, &base.set, &base.card, &base.printing, &base.variant, &base.series)
	if err != nil {
		return rep, wrap("bulk: bases", err, "")
	}

	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var rows [][]any
		for g := 0; g < spec.Games; g++ {
			gm := spec.GameAt(g)
			rows = append(rows, []any{base.game + int64(g) + 1, gm.Slug, gm.Name})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"games"}, []string{"id", "slug", "name"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("games: %w", err)
		}
		rows = rows[:0]
		for i := 0; i < spec.Sets(); i++ {
			st := spec.SetAt(i)
			rows = append(rows, []any{base.set + int64(i) + 1, base.game + int64(st.Game) + 1, st.Code, st.Name, st.ReleaseDate, int32(st.Cards)})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"sets"}, []string{"id", "game_id", "code", "name", "release_date", "total_cards"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("sets: %w", err)
		}
		// cards, printings, variants: streamed, one printing per card
		type cardRow struct {
			card generator.Card
			game int
			pos  int
		}
		cards := make(chan cardRow, 1024)
		go func() {
			defer close(cards)
			global := 0
			for i := 0; i < spec.Sets(); i++ {
				st := spec.SetAt(i)
				for j := 0; j < st.Cards; j++ {
					select {
					case cards <- cardRow{spec.CardAt(st, j, global), st.Game, j}:
					case <-ctx.Done():
						return
					}
					global++
				}
			}
		}()
		var all []cardRow
		for c := range cards {
			all = append(all, c)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"cards"},
			[]string{"id", "set_id", "game_id", "name", "collector_number", "rarity", "card_type", "position"},
			pgx.CopyFromSlice(len(all), func(i int) ([]any, error) {
				c := all[i]
				return []any{base.card + int64(c.card.Index) + 1, base.set + int64(c.card.Set) + 1, base.game + int64(c.game) + 1,
					c.card.Name, c.card.Number, c.card.Rarity, c.card.Type, int32(c.pos)}, nil
			})); err != nil {
			return fmt.Errorf("cards: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"printings"},
			[]string{"id", "card_id", "language", "print_run", "collector_number"},
			pgx.CopyFromSlice(len(all), func(i int) ([]any, error) {
				c := all[i]
				id := base.card + int64(c.card.Index) + 1
				return []any{base.printing + int64(c.card.Index) + 1, id, "en", "unlimited", c.card.Number}, nil
			})); err != nil {
			return fmt.Errorf("printings: %w", err)
		}
		vpc := spec.VariantsPerCard
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"variants"},
			[]string{"id", "printing_id", "card_id", "finish", "variant_label", "position"},
			pgx.CopyFromSlice(len(all)*vpc, func(i int) ([]any, error) {
				c := all[i/vpc]
				k := i % vpc
				label := "standard"
				if k >= len(generator.Finishes) {
					label = fmt.Sprintf("alt%d", k/len(generator.Finishes))
				}
				return []any{base.variant + int64(i) + 1, base.printing + int64(c.card.Index) + 1, base.card + int64(c.card.Index) + 1,
					generator.Finishes[k%len(generator.Finishes)], label, int32(k)}, nil
			})); err != nil {
			return fmt.Errorf("variants: %w", err)
		}
		series := spec.Series()
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"price_series"},
			[]string{"id", "variant_id", "source", "region", "price_type", "grading_company", "grade", "currency"},
			pgx.CopyFromSlice(int(series), func(i int) ([]any, error) {
				v, kind := spec.SeriesVariant(int64(i))
				k := generator.SeriesKinds[kind]
				return []any{base.series + int64(i) + 1, base.variant + int64(v) + 1, k.Source, k.Region, k.PriceType, k.Company, k.Grade, k.Currency}, nil
			})); err != nil {
			return fmt.Errorf("series: %w", err)
		}
		rep.Games, rep.Sets, rep.Cards, rep.Variants, rep.Series = spec.Games, spec.Sets(), len(all), len(all)*vpc, series
		return nil
	})
	if err != nil {
		return rep, wrap("bulk: catalogue", err, "")
	}

	// price points: parallel COPY over disjoint series ranges
	if writers < 1 {
		writers = 1
	}
	series := spec.Series()
	latest := make([][]any, series)
	var written atomic.Int64
	var mu sync.Mutex
	pstart := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	per := (series + int64(writers) - 1) / int64(writers)
	for w := 0; w < writers; w++ {
		from, to := int64(w)*per, min(int64(w+1)*per, series)
		if from >= to {
			continue
		}
		g.Go(func() error {
			conn, err := db.Pool.Acquire(gctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			return copyPoints(gctx, conn.Conn(), spec, from, to, base.series, latest, &written, progress, &mu)
		})
	}
	if err := g.Wait(); err != nil {
		return rep, wrap("bulk: points", err, "")
	}
	rep.Points = written.Load()
	rep.PointsTook = time.Since(pstart)
	progress.Finish()

	var lrows [][]any
	for _, r := range latest {
		if r != nil {
			lrows = append(lrows, r)
		}
	}
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"price_latest"}, []string{"series_id", "as_of", "amount_minor"}, pgx.CopyFromRows(lrows)); err != nil {
			return fmt.Errorf("latest: %w", err)
		}
		_, err := tx.Exec(ctx, `UPDATE catalog_counters SET value = value + $1, updated_at = now() WHERE name = 'price_points'`, rep.Points)
		return err
	})
	if err != nil {
		return rep, wrap("bulk: latest", err, "")
	}
	if _, err := db.Pool.Exec(ctx, `SELECT setval(pg_get_serial_sequence('games', 'id'), (SELECT max(id) FROM games));
		SELECT setval(pg_get_serial_sequence('price_series', 'id'), greatest((SELECT max(id) FROM price_series), 1));
		ANALYZE games, sets, cards, printings, variants, price_series, price_latest`); err != nil {
		return rep, wrap("bulk: sequences", err, "")
	}
	// the history read model of the loaded series, set-based
	ystart := time.Now()
	if err := db.fillPriceYears(ctx, base.series+1, base.series+series+1,
		spec.Today.AddDate(0, 0, -spec.Days).Year(), spec.Today.Year(), writers); err != nil {
		return rep, wrap("bulk: price years", err, "")
	}
	rep.YearsTook = time.Since(ystart)
	// the card documents: set-based, all synthetic cards, after the load
	dstart := time.Now()
	if err := db.renderCardDocsParallel(ctx, base.card+1, base.card+int64(rep.Cards), writers); err != nil {
		return rep, wrap("bulk: card docs", err, "")
	}
	rep.DocsTook = time.Since(dstart)
	if err := db.RefreshPortfolioPrices(ctx); err != nil {
		return rep, err
	}
	if err := db.RefreshCounters(ctx); err != nil {
		return rep, err
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// dropSynthetic removes earlier synthetic games with their points.
func (db *DB) dropSynthetic(ctx context.Context) error {
	_, err := db.Pool.Exec(ctx, `
		DELETE FROM price_points WHERE series_id IN (
			SELECT s.id FROM price_series s JOIN variants v ON v.id = s.variant_id
			JOIN cards c ON c.id = v.card_id JOIN games g ON g.id = c.game_id WHERE g.slug LIKE 'synthetic-%');
		UPDATE catalog_counters SET value = (SELECT count(*) FROM price_points) WHERE name = 'price_points'
			AND EXISTS (SELECT 1 FROM games WHERE slug LIKE 'synthetic-%');
		DELETE FROM games WHERE slug LIKE 'synthetic-%'`)
	return wrap("bulk: drop synthetic", err, "")
}

// copyPoints streams the generated points of series [from, to) into
// price_points as PostgreSQL binary COPY data written directly (no per-value
// boxing or type-map encoding: a row is 39 bytes put into a buffer), and
// records each series' latest non-outlier point in latest.
func copyPoints(ctx context.Context, conn *pgx.Conn, spec generator.Spec, from, to, base int64, latest [][]any,
	written *atomic.Int64, progress catalog.Progress, mu *sync.Mutex) error {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(writePoints(ctx, pw, spec, from, to, base, latest, written, progress, mu))
	}()
	_, err := conn.PgConn().CopyFrom(ctx, pr, `COPY price_points (series_id, as_of, amount_minor, is_outlier) FROM STDIN (FORMAT binary)`)
	pr.CloseWithError(errors.Join(err, io.ErrClosedPipe)) // stops the writer if COPY failed
	return err
}

// pgEpoch is day 0 of PostgreSQL's binary date encoding.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// writePoints writes the binary COPY stream of series [from, to) to w.
func writePoints(ctx context.Context, w io.Writer, spec generator.Spec, from, to, base int64, latest [][]any,
	written *atomic.Int64, progress catalog.Progress, mu *sync.Mutex) error {
	bw := bufio.NewWriterSize(w, 1<<18)
	// signature, flags, header extension length
	if _, err := bw.WriteString("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00"); err != nil {
		return err
	}
	var row [39]byte
	be := binary.BigEndian
	be.PutUint16(row[0:], 4)  // fields
	be.PutUint32(row[2:], 8)  // series_id bigint
	be.PutUint32(row[14:], 4) // as_of date
	be.PutUint32(row[22:], 8) // amount_minor bigint
	be.PutUint32(row[34:], 1) // is_outlier bool
	var err error
	pending := 0
	flush := func() {
		written.Add(int64(pending))
		mu.Lock()
		progress.Add(pending)
		mu.Unlock()
		pending = 0
	}
	lastDay, lastDate := time.Time{}, int32(0)
	spec.EachPoint(from, to, func(p generator.Point) bool {
		if !p.AsOf.Equal(lastDay) {
			lastDay, lastDate = p.AsOf, int32(p.AsOf.Sub(pgEpoch)/(24*time.Hour))
		}
		be.PutUint64(row[6:], uint64(base+p.Series+1))
		be.PutUint32(row[18:], uint32(lastDate))
		be.PutUint64(row[26:], uint64(p.AmountMinor))
		row[38] = 0
		if p.IsOutlier {
			row[38] = 1
		} else {
			latest[p.Series] = []any{base + p.Series + 1, p.AsOf, p.AmountMinor}
		}
		if _, err = bw.Write(row[:]); err != nil {
			return false
		}
		if pending++; pending == 100_000 {
			flush()
			if err = ctx.Err(); err != nil {
				return false
			}
		}
		return true
	})
	flush()
	if err != nil {
		return err
	}
	if _, err := bw.Write([]byte{0xff, 0xff}); err != nil { // trailer
		return err
	}
	return bw.Flush()
}
