package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/notify"
)

// target is a resolved price owner: exactly one of variant or sealed is set.
type target struct{ variant, sealed int64 }

type seriesKey struct {
	t                                         target
	source, region, priceType, company, grade string
	currency                                  string
}

// WritePrices resolves each price's reference, creates missing series and
// upserts the points in one transaction; unresolved rows are counted, not
// written. Re-importing the same file changes nothing.
func (db *DB) WritePrices(ctx context.Context, prices []catalog.ImportPrice) (catalog.ImportReport, error) {
	var rep catalog.ImportReport
	var events []catalog.Event
	var notes []notify.Notification
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		targets, err := resolveRefs(ctx, tx, prices)
		if err != nil {
			return err
		}
		series := map[seriesKey]int64{}
		var keys []seriesKey
		for i, p := range prices {
			t, ok := targets[i]
			if !ok {
				continue
			}
			k := seriesKey{t, p.Source, p.Region, p.PriceType, p.GradingCompany, p.Grade, p.Currency}
			if _, ok := series[k]; !ok {
				series[k] = 0
				keys = append(keys, k)
			}
		}
		if err := upsertSeries(ctx, tx, keys, series); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE stage_points (
			ord int, series_id bigint, as_of date, amount_minor bigint, is_outlier boolean) ON COMMIT DROP`); err != nil {
			return err
		}
		rowsIn := make([][]any, 0, len(prices))
		for i, p := range prices {
			t, ok := targets[i]
			if !ok {
				rep.Unmatched++
				continue
			}
			k := seriesKey{t, p.Source, p.Region, p.PriceType, p.GradingCompany, p.Grade, p.Currency}
			rowsIn = append(rowsIn, []any{i, series[k], p.AsOf, p.AmountMinor, p.IsOutlier})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stage_points"},
			[]string{"ord", "series_id", "as_of", "amount_minor", "is_outlier"}, pgx.CopyFromRows(rowsIn)); err != nil {
			return fmt.Errorf("stage: %w", err)
		}
		if db.Events != nil {
			if events, err = priceEvents(ctx, tx); err != nil {
				return err
			}
		}
		if notes, err = evaluateAlerts(ctx, tx, time.Now().UTC()); err != nil {
			return err
		}
		// xmax is not readable on partitioned tables: count the new keys first.
		var inserted int64
		err = tx.QueryRow(ctx, `
			SELECT count(*) FROM (SELECT DISTINCT series_id, as_of FROM stage_points) s
			WHERE NOT EXISTS (SELECT 1 FROM price_points p WHERE p.series_id = s.series_id AND p.as_of = s.as_of)`).Scan(&inserted)
		if err != nil {
			return fmt.Errorf("points: count: %w", err)
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO price_points (series_id, as_of, amount_minor, is_outlier)
			SELECT DISTINCT ON (series_id, as_of) series_id, as_of, amount_minor, is_outlier
			FROM stage_points ORDER BY series_id, as_of, ord DESC
			ON CONFLICT (series_id, as_of) DO UPDATE SET amount_minor = EXCLUDED.amount_minor,
				is_outlier = EXCLUDED.is_outlier`)
		if err != nil {
			return fmt.Errorf("points: %w", err)
		}
		if err := refreshLatest(ctx, tx); err != nil {
			return err
		}
		if err := refreshPriceYears(ctx, tx); err != nil {
			return err
		}
		if err := refreshCardDocs(ctx, tx, `SELECT v.card_id FROM (SELECT DISTINCT series_id FROM stage_points) sp
			JOIN price_series s ON s.id = sp.series_id JOIN variants v ON v.id = s.variant_id`); err != nil {
			return err
		}
		if err := refreshPortfolioStaged(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE catalog_counters SET value = value + $1, updated_at = now()
			WHERE name = 'price_points'`, inserted); err != nil {
			return err
		}
		rep.Prices = len(rowsIn)
		return nil
	})
	if err != nil {
		return rep, wrap("write prices", err, "")
	}
	db.publish(ctx, events)
	db.deliver(ctx, notes)
	return rep, nil
}

// refreshLatest brings price_latest up to date for the staged series: the
// newest non-outlier point of each, also when a re-import flagged the
// previous headline as an outlier.
func refreshLatest(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `
		DELETE FROM price_latest l USING stage_points s
		WHERE s.series_id = l.series_id AND s.as_of = l.as_of AND s.is_outlier;
		INSERT INTO price_latest (series_id, as_of, amount_minor)
		SELECT DISTINCT ON (p.series_id) p.series_id, p.as_of, p.amount_minor
		FROM price_points p WHERE p.series_id IN (SELECT DISTINCT series_id FROM stage_points) AND NOT p.is_outlier
		ORDER BY p.series_id, p.as_of DESC
		ON CONFLICT (series_id) DO UPDATE SET as_of = EXCLUDED.as_of, amount_minor = EXCLUDED.amount_minor
		WHERE price_latest.as_of <= EXCLUDED.as_of`)
	if err != nil {
		return fmt.Errorf("latest: %w", err)
	}
	return nil
}

func upsertSeries(ctx context.Context, tx pgx.Tx, keys []seriesKey, ids map[seriesKey]int64) error {
	const chunk = 1000
	for start := 0; start < len(keys); start += chunk {
		end := min(start+chunk, len(keys))
		b := &pgx.Batch{}
		for _, k := range keys[start:end] {
			conflict := "(variant_id, source, region, price_type, grading_company, grade)"
			var v, s any
			if k.t.variant != 0 {
				v = k.t.variant
			} else {
				s, conflict = k.t.sealed, "(sealed_id, source, region, price_type, grading_company, grade)"
			}
			b.Queue(`INSERT INTO price_series (variant_id, sealed_id, source, region, price_type, grading_company, grade, currency)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT `+conflict+` DO UPDATE SET currency = EXCLUDED.currency RETURNING id`,
				v, s, k.source, k.region, k.priceType, k.company, k.grade, k.currency)
		}
		br := tx.SendBatch(ctx, b)
		for _, k := range keys[start:end] {
			var id int64
			if err := br.QueryRow().Scan(&id); err != nil {
				br.Close()
				return fmt.Errorf("series: %w", err)
			}
			ids[k] = id
		}
		if err := br.Close(); err != nil {
			return fmt.Errorf("series: %w", err)
		}
	}
	return nil
}

// resolveRefs maps price index → target for every price whose reference
// resolves, creating sealed products on demand.
func resolveRefs(ctx context.Context, tx pgx.Tx, prices []catalog.ImportPrice) (map[int]target, error) {
	type refKey struct {
		kind               byte
		a, b, c, d, finish string
	}
	keyOf := func(r catalog.PriceRef) (refKey, bool) {
		switch {
		case r.VariantID != 0:
			return refKey{'v', strconv.FormatInt(r.VariantID, 10), "", "", "", ""}, true
		case r.XRef != nil:
			return refKey{'x', r.XRef.Source, r.XRef.ID, "", "", r.Finish}, true
		case r.Card != nil:
			return refKey{'c', r.Card.Game, r.Card.Set, r.Card.Number, r.Card.Name, r.Card.Finish}, true
		case r.Sealed != nil:
			return refKey{'s', r.Sealed.Game, r.Sealed.Set, r.Sealed.Name, r.Sealed.ProductType, ""}, true
		}
		return refKey{}, false
	}
	var order []refKey
	found := map[refKey]*target{}
	for _, p := range prices {
		k, ok := keyOf(p.Ref)
		if !ok {
			continue
		}
		if _, seen := found[k]; !seen {
			found[k] = nil
			order = append(order, k)
		}
	}
	const chunk = 1000
	for start := 0; start < len(order); start += chunk {
		end := min(start+chunk, len(order))
		b := &pgx.Batch{}
		for _, k := range order[start:end] {
			switch k.kind {
			case 'v':
				b.Queue(`SELECT id FROM variants WHERE id = $1::bigint`, k.a)
			case 'x':
				b.Queue(`SELECT coalesce(
					(SELECT v.id FROM variants v WHERE v.id = e.variant_id AND ($3 = '' OR v.finish = $3)),
					(SELECT v.id FROM variants v JOIN printings p ON p.id = v.printing_id
					 WHERE v.card_id = e.card_id AND ($3 = '' OR v.finish = $3 OR ($3 = 'foil' AND v.finish LIKE '%foil'))
					 ORDER BY (v.finish = $3) DESC, (v.finish = 'reverse_holofoil') DESC, p.position, p.id, v.position, v.id LIMIT 1))
					FROM external_ids e WHERE e.source = $1 AND e.external_id = $2
					ORDER BY e.variant_id NULLS LAST, e.card_id LIMIT 1`, k.a, k.b, k.finish)
			case 'c':
				b.Queue(`SELECT v.id FROM cards c
					JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id
					JOIN variants v ON v.card_id = c.id JOIN printings p ON p.id = v.printing_id
					WHERE (g.slug = $1 OR $1 = ANY(g.aliases)) AND lower(s.code) = lower($2)
					  AND (c.collector_number = $3 OR split_part(c.collector_number, '/', 1) = $3) AND lower(c.name) = lower($4)
					ORDER BY (v.finish = $5) DESC, p.position, p.id, v.position, v.id LIMIT 1`,
					k.a, k.b, k.c, k.d, k.finish)
			case 's':
				b.Queue(`INSERT INTO sealed_products (game_id, set_id, name, product_type)
					SELECT s.game_id, s.id, $3, $4 FROM sets s JOIN games g ON g.id = s.game_id
					WHERE (g.slug = $1 OR $1 = ANY(g.aliases)) AND lower(s.code) = lower($2)
					ORDER BY s.id LIMIT 1
					ON CONFLICT (set_id, name, product_type) DO UPDATE SET name = EXCLUDED.name
					RETURNING id`, k.a, k.b, k.c, k.d)
			}
		}
		br := tx.SendBatch(ctx, b)
		for _, k := range order[start:end] {
			var id *int64
			err := br.QueryRow().Scan(&id)
			if err == pgx.ErrNoRows || (err == nil && id == nil) {
				continue
			}
			if err != nil {
				br.Close()
				return nil, fmt.Errorf("resolve: %w", err)
			}
			t := target{variant: *id}
			if k.kind == 's' {
				t = target{sealed: *id}
			}
			found[k] = &t
		}
		if err := br.Close(); err != nil {
			return nil, fmt.Errorf("resolve: %w", err)
		}
	}
	out := make(map[int]target, len(prices))
	for i, p := range prices {
		if k, ok := keyOf(p.Ref); ok && found[k] != nil {
			out[i] = *found[k]
		}
	}
	return out, nil
}
