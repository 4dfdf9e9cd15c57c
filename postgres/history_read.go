package postgres

import (
	"context"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
)

// historyVariant is the variant a history read is of ($1 card, $2 variant
// id or 0 for the card's first variant in catalogue order).
const historyVariant = `
		WITH v AS (
			SELECT v.id FROM variants v JOIN printings p ON p.id = v.printing_id
			WHERE v.card_id = $1 AND ($2 = 0 OR v.id = $2)
			ORDER BY p.position, p.id, v.position, v.id LIMIT 1)`

// History returns one variant's series of one region over the last q.Days
// days from the price_years read model: one statement returns one or two
// array rows per series (source, price type, series id and year order),
// whose days are cut to the window and merged by day here, giving the
// order of HistoryFromPoints. Only an empty answer costs a second look to
// tell "no data" from "no such card or variant".
func (db *DB) History(ctx context.Context, q catalog.HistoryQuery) ([]catalog.HistoryPoint, error) {
	since := q.Today.AddDate(0, 0, -q.Days)
	rows, err := db.Pool.Query(ctx, historyVariant+`
		SELECT s.source, s.price_type, y.days, y.amounts
		FROM v JOIN price_series s ON s.variant_id = v.id
		JOIN price_years y ON y.series_id = s.id AND y.year BETWEEN $4 AND $5
		WHERE s.region = $3
		ORDER BY s.source, s.price_type, s.id, y.year`, q.CardID, q.VariantID, q.Region, since.Year(), q.Today.Year())
	if err != nil {
		return nil, wrap("history", err, "")
	}
	type point struct {
		day   time.Time
		minor int64
		src   *[2]string
	}
	var pts []point
	var source, priceType string
	var days []time.Time
	var amounts []int64
	_, err = pgx.ForEachRow(rows, []any{&source, &priceType, &days, &amounts}, func() error {
		src := &[2]string{source, priceType}
		lo := sort.Search(len(days), func(i int) bool { return days[i].After(since) })
		for i := lo; i < len(days) && !days[i].After(q.Today); i++ {
			pts = append(pts, point{days[i], amounts[i], src})
		}
		return nil
	})
	if err != nil {
		return nil, wrap("history", err, "")
	}
	if len(pts) == 0 {
		return db.historyEmpty(ctx, q)
	}
	// rows came in (source, price type, series) order: a stable sort by day
	// gives ORDER BY day, source, price type, series
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].day.Before(pts[j].day) })
	out := make([]catalog.HistoryPoint, len(pts))
	for i, p := range pts {
		out[i] = catalog.HistoryPoint{Date: p.day.Format(dateFmt), Amount: minorToAmount(p.minor), Source: p.src[0], PriceType: p.src[1]}
	}
	return out, nil
}

// HistoryFromPoints is History read straight from price_points (the source
// of truth): the reference the read model is checked and benchmarked against.
func (db *DB) HistoryFromPoints(ctx context.Context, q catalog.HistoryQuery) ([]catalog.HistoryPoint, error) {
	since := q.Today.AddDate(0, 0, -q.Days)
	rows, err := db.Pool.Query(ctx, historyVariant+`
		SELECT p.as_of, p.amount_minor, s.source, s.price_type
		FROM v JOIN price_series s ON s.variant_id = v.id
		JOIN price_points p ON p.series_id = s.id
		WHERE s.region = $3 AND p.as_of > $4 AND p.as_of <= $5 AND NOT p.is_outlier
		ORDER BY p.as_of, s.source, s.price_type, s.id`, q.CardID, q.VariantID, q.Region, since, q.Today)
	if err != nil {
		return nil, wrap("history", err, "")
	}
	points, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (catalog.HistoryPoint, error) {
		var hp catalog.HistoryPoint
		var d time.Time
		var m int64
		err := r.Scan(&d, &m, &hp.Source, &hp.PriceType)
		hp.Date, hp.Amount = d.Format(dateFmt), minorToAmount(m)
		return hp, err
	})
	if err != nil {
		return nil, wrap("history", err, "")
	}
	if len(points) > 0 {
		return points, nil
	}
	return db.historyEmpty(ctx, q)
}

// historyEmpty is the answer to an empty history window: ENOTFOUND for an
// unknown card or a variant not of the card, else no points.
func (db *DB) historyEmpty(ctx context.Context, q catalog.HistoryQuery) ([]catalog.HistoryPoint, error) {
	var card, variant bool
	err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cards WHERE id = $1),
		$2 = 0 OR EXISTS (SELECT 1 FROM variants WHERE id = $2 AND card_id = $1)`, q.CardID, q.VariantID).Scan(&card, &variant)
	switch {
	case err != nil:
		return nil, wrap("history", err, "")
	case !card:
		return nil, catalog.Errorf(catalog.ENOTFOUND, "Card not found")
	case !variant:
		return nil, catalog.Errorf(catalog.ENOTFOUND, "Variant not found")
	}
	return []catalog.HistoryPoint{}, nil
}
