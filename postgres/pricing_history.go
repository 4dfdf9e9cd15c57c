package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/generator"
	"github.com/collectorstash/csm/pricing"
)

// CardInfo returns what the price analyses need of a card.
func (db *DB) CardInfo(ctx context.Context, id int64) (pricing.CardInfo, error) {
	var c pricing.CardInfo
	var rarity *string
	err := db.Pool.QueryRow(ctx, `SELECT c.id, c.name, c.rarity, g.slug, s.name,
		coalesce((SELECT array_agg(v.finish ORDER BY v.position, v.id) FROM variants v WHERE v.card_id = c.id), '{}')
		FROM cards c JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id WHERE c.id = $1`, id).
		Scan(&c.ID, &c.Name, &rarity, &c.Game, &c.SetName, &c.Finishes)
	if rarity != nil {
		c.Rarity = *rarity
	}
	return c, wrap("card info", err, "Card not found")
}

// CardSeries returns every series of the card's variants with its
// non-outlier points since the day, oldest first, in one statement.
func (db *DB) CardSeries(ctx context.Context, cardID int64, since time.Time) ([]pricing.Series, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT s.id, v.id, v.finish, v.variant_label, p.language, p.print_run, s.source, s.region, s.price_type,
		       s.grading_company, s.grade, s.currency, pp.as_of, pp.amount_minor
		FROM variants v JOIN printings p ON p.id = v.printing_id
		JOIN price_series s ON s.variant_id = v.id
		JOIN price_points pp ON pp.series_id = s.id
		WHERE v.card_id = $1 AND pp.as_of >= $2 AND NOT pp.is_outlier
		ORDER BY p.position, p.id, v.position, v.id, s.id, pp.as_of`, cardID, since)
	if err != nil {
		return nil, wrap("card series", err, "")
	}
	var out []pricing.Series
	var s pricing.Series
	var day time.Time
	var minor int64
	_, err = pgx.ForEachRow(rows, []any{&s.ID, &s.VariantID, &s.Finish, &s.Label, &s.Language, &s.PrintRun, &s.Source, &s.Region,
		&s.PriceType, &s.Company, &s.Grade, &s.Currency, &day, &minor}, func() error {
		if n := len(out); n == 0 || out[n-1].ID != s.ID {
			ns := s
			ns.Points = nil
			out = append(out, ns)
		}
		last := &out[len(out)-1]
		last.Points = append(last.Points, pricing.Day{Date: day, Minor: minor})
		return nil
	})
	if err != nil {
		return nil, wrap("card series", err, "")
	}
	if len(out) == 0 {
		if err := db.cardExists(ctx, cardID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) cardExists(ctx context.Context, id int64) error {
	var ok bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cards WHERE id = $1)`, id).Scan(&ok); err != nil {
		return wrap("card", err, "")
	}
	if !ok {
		return catalog.Errorf(catalog.ENOTFOUND, "Card not found")
	}
	return nil
}

// LatestPrices returns the newest non-outlier point of each of the card's series.
func (db *DB) LatestPrices(ctx context.Context, cardID int64) ([]pricing.LatestPrice, error) {
	rows, err := db.Pool.Query(ctx, `SELECT s.source, s.region, s.price_type, s.grading_company, s.grade, s.currency, v.finish,
		l.amount_minor, l.as_of
		FROM variants v JOIN printings p ON p.id = v.printing_id JOIN price_series s ON s.variant_id = v.id
		JOIN price_latest l ON l.series_id = s.id WHERE v.card_id = $1
		ORDER BY p.position, p.id, v.position, v.id, s.region DESC, s.source, s.price_type`, cardID)
	if err != nil {
		return nil, wrap("latest prices", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.LatestPrice, error) {
		var l pricing.LatestPrice
		err := r.Scan(&l.Source, &l.Region, &l.PriceType, &l.Company, &l.Grade, &l.Currency, &l.Finish, &l.Minor, &l.AsOf)
		return l, err
	})
	if err != nil {
		return nil, wrap("latest prices", err, "")
	}
	if len(out) == 0 {
		if err := db.cardExists(ctx, cardID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SoldComps returns the card's non-outlier sold comps matching f, newest first.
func (db *DB) SoldComps(ctx context.Context, cardID int64, f pricing.SoldFilter) ([]pricing.SoldComp, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100_000
	}
	rows, err := db.Pool.Query(ctx, `SELECT sc.sold_on, sc.source, coalesce(v.finish, ''), sc.grading_company, sc.grade,
		sc.condition, sc.language, sc.title, sc.url, sc.image_url, sc.price_minor, sc.currency
		FROM sold_comps sc LEFT JOIN variants v ON v.id = sc.variant_id
		WHERE sc.card_id = $1 AND sc.sold_on >= $2 AND NOT sc.is_outlier
		  AND ($3 = '' OR lower(sc.grading_company) = lower($3)) AND ($4 = '' OR sc.grade = $4)
		  AND ($5 = '' OR sc.language = $5) AND ($6 = '' OR v.finish = $6)
		ORDER BY sc.sold_on DESC, sc.id DESC LIMIT $7`, cardID, f.Since, f.Company, f.Grade, f.Language, f.Finish, limit)
	if err != nil {
		return nil, wrap("sold comps", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.SoldComp, error) {
		var c pricing.SoldComp
		err := r.Scan(&c.Date, &c.Source, &c.Finish, &c.Company, &c.Grade, &c.Condition, &c.Language, &c.Title, &c.URL,
			&c.ImageURL, &c.Minor, &c.Currency)
		return c, err
	})
	if err != nil {
		return nil, wrap("sold comps", err, "")
	}
	if len(out) == 0 {
		if err := db.cardExists(ctx, cardID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WriteSoldComps stores sold listings with COPY.
func (db *DB) WriteSoldComps(ctx context.Context, comps []pricing.NewSoldComp) (int64, error) {
	rows := make([][]any, len(comps))
	for i, c := range comps {
		var v any
		if c.VariantID != 0 {
			v = c.VariantID
		}
		rows[i] = []any{c.CardID, v, c.Source, c.Date, c.Minor, c.Currency, c.Company, c.Grade, c.Condition,
			c.Language, c.Title, c.URL, c.ImageURL, c.IsOutlier}
	}
	n, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"sold_comps"}, []string{"card_id", "variant_id", "source", "sold_on",
		"price_minor", "currency", "grading_company", "grade", "condition", "language", "title", "url", "image_url", "is_outlier"},
		pgx.CopyFromRows(rows))
	if err != nil {
		return n, wrap("write sold comps", fmt.Errorf("copy: %w", err), "")
	}
	return n, nil
}

// Rates returns the stored exchange rates.
func (db *DB) Rates(ctx context.Context) (pricing.Rates, error) {
	r := pricing.Rates{PerEUR: map[string]float64{}}
	rows, err := db.Pool.Query(ctx, `SELECT currency, per_eur, as_of, source FROM currency_rates`)
	if err != nil {
		return r, wrap("rates", err, "")
	}
	var cur, src string
	var per float64
	var asOf time.Time
	_, err = pgx.ForEachRow(rows, []any{&cur, &per, &asOf, &src}, func() error {
		r.PerEUR[cur] = per
		if asOf.After(r.AsOf) {
			r.AsOf, r.Source = asOf, src
		}
		return nil
	})
	return r, wrap("rates", err, "")
}

// LoadSyntheticSoldComps writes perCard generated sold comps for each of
// the first `cards` cards of the synthetic games (by id), with COPY.
func (db *DB) LoadSyntheticSoldComps(ctx context.Context, spec generator.Spec, cards, perCard int) (int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT c.id FROM cards c JOIN games g ON g.id = c.game_id
		WHERE g.slug LIKE 'synthetic-%' ORDER BY c.id LIMIT $1`, cards)
	if err != nil {
		return 0, wrap("synthetic sold comps", err, "")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, wrap("synthetic sold comps", err, "")
	}
	var total int64
	for start := 0; start < len(ids); start += 10_000 {
		var batch []pricing.NewSoldComp
		for i, id := range ids[start:min(start+10_000, len(ids))] {
			for _, c := range spec.SoldComps(start+i, perCard) {
				batch = append(batch, pricing.NewSoldComp{CardID: id, IsOutlier: c.IsOutlier, SoldComp: pricing.SoldComp{
					Date: c.Day, Source: "ebay", Company: c.Company, Grade: c.Grade, Minor: c.AmountMinor, Currency: "USD",
					Condition: "Near Mint", Language: "en", Title: "synthetic sale"}})
			}
		}
		n, err := db.WriteSoldComps(ctx, batch)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
