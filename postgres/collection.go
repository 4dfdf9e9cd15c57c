package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
)

var _ collection.Store = (*DB)(nil)

// priceOfEntry picks, for the collection entry e, the price series that
// values it in currency $2 with the preference list $3 (see
// collection.MarketPriceTypes) and its latest price: the entry's variant
// (else any of the card's, first printing first); for a graded entry the
// grader's (else "other") series of its grade first.
const priceOfEntry = `
	SELECT ps.id AS series_id, l.amount_minor FROM variants v
	JOIN printings p ON p.id = v.printing_id
	JOIN price_series ps ON ps.variant_id = v.id
	JOIN price_latest l ON l.series_id = ps.id
	WHERE v.card_id = e.card_id AND (e.variant_id IS NULL OR v.id = e.variant_id) AND ps.currency = $2
	  AND ((e.graded AND e.grade IS NOT NULL AND ps.grading_company <> '' AND ps.grade = trim_scale(e.grade)::text
	        AND ps.grading_company IN (lower(coalesce(e.grading_company, 'other')), 'other'))
	       OR (ps.grading_company = '' AND ps.price_type = ANY($3)))
	ORDER BY (ps.grading_company <> '') DESC, (ps.grading_company = lower(coalesce(e.grading_company, ''))) DESC,
	         array_position($3, ps.price_type), p.position, p.id, v.position, v.id, ps.id
	LIMIT 1`

// entryCols are the listed columns of a collection entry e with its card
// c, set s, game g, price px and image img.
const entryCols = `e.id, e.card_id, c.name, g.slug, s.name, s.code, c.collector_number, e.quantity, e.condition,
	e.variant, e.variant_id, e.price_paid_minor, e.graded, e.grading_company, e.grade::float8,
	px.amount_minor, img.url, e.added_at`

const entryFrom = `
	FROM collection_entries e
	JOIN cards c ON c.id = e.card_id JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id
	LEFT JOIN LATERAL (` + priceOfEntry + `) px ON true
	LEFT JOIN LATERAL (SELECT i.url FROM images i WHERE i.card_id = e.card_id
	                   ORDER BY i.is_placeholder, i.position, i.id LIMIT 1) img ON true`

func scanEntry(r pgx.Row, currency string) (collection.Entry, error) {
	var e collection.Entry
	var cond string
	var paid, unit *int64
	err := r.Scan(&e.ID, &e.CardID, &e.CardName, &e.TCGSlug, &e.SetName, &e.SetCode, &e.Number, &e.Quantity, &cond,
		&e.Variant, &e.VariantID, &paid, &e.Graded, &e.GradingCompany, &e.Grade, &unit, &e.ImageURL, &e.AddedAt)
	if err != nil {
		return e, err
	}
	e.Condition, e.Currency, e.AddedAt = collection.Condition(cond), currency, e.AddedAt.UTC()
	if paid != nil {
		v := collection.FromMinor(*paid)
		e.PricePaid = &v
	}
	if unit != nil {
		u, total := collection.FromMinor(*unit), collection.FromMinor(*unit*int64(e.Quantity))
		e.UnitValue, e.CurrentValue = &u, &total
	}
	return e, nil
}

// CollectionCard returns a card and its variants.
func (db *DB) CollectionCard(ctx context.Context, cardID int64) (collection.CardInfo, error) {
	m, err := db.CollectionCardsByID(ctx, []int64{cardID})
	if err != nil {
		return collection.CardInfo{}, err
	}
	c, ok := m[cardID]
	if !ok {
		return c, catalog.Errorf(catalog.ENOTFOUND, "Card not found")
	}
	return c, nil
}

// cardInfoSelect reads cards c (with game g) and their variants as one
// row per card.
const cardInfoSelect = `SELECT c.id, c.name, g.slug,
	coalesce(array_agg(v.id ORDER BY p.position, p.id, v.position, v.id) FILTER (WHERE v.id IS NOT NULL), '{}'),
	coalesce(array_agg(p.print_run ORDER BY p.position, p.id, v.position, v.id) FILTER (WHERE v.id IS NOT NULL), '{}'),
	coalesce(array_agg(v.finish ORDER BY p.position, p.id, v.position, v.id) FILTER (WHERE v.id IS NOT NULL), '{}'),
	coalesce(array_agg(v.variant_label ORDER BY p.position, p.id, v.position, v.id) FILTER (WHERE v.id IS NOT NULL), '{}')`

func scanCardInfo(r pgx.Row) (collection.CardInfo, error) {
	var c collection.CardInfo
	var ids []int64
	var runs, fins, labels []string
	if err := r.Scan(&c.ID, &c.Name, &c.GameSlug, &ids, &runs, &fins, &labels); err != nil {
		return c, err
	}
	for i := range ids {
		c.Variants = append(c.Variants, collection.VariantInfo{ID: ids[i], PrintRun: runs[i], Finish: fins[i], Label: labels[i]})
	}
	return c, nil
}

// CollectionCardsByID returns the cards among ids.
func (db *DB) CollectionCardsByID(ctx context.Context, ids []int64) (map[int64]collection.CardInfo, error) {
	rows, err := db.Pool.Query(ctx, cardInfoSelect+`
		FROM cards c JOIN games g ON g.id = c.game_id
		LEFT JOIN variants v ON v.card_id = c.id LEFT JOIN printings p ON p.id = v.printing_id
		WHERE c.id = ANY($1) GROUP BY c.id, g.slug`, ids)
	if err != nil {
		return nil, wrap("collection: cards", err, "")
	}
	return collectCards(rows, func(c collection.CardInfo) int64 { return c.ID })
}

func collectCards[K comparable](rows pgx.Rows, key func(collection.CardInfo) K) (map[K]collection.CardInfo, error) {
	defer rows.Close()
	out := map[K]collection.CardInfo{}
	for rows.Next() {
		c, err := scanCardInfo(rows)
		if err != nil {
			return nil, wrap("collection: cards", err, "")
		}
		if _, dup := out[key(c)]; !dup {
			out[key(c)] = c
		}
	}
	return out, wrap("collection: cards", rows.Err(), "")
}

// CollectionCardsByNumber resolves (game, set code, number) keys; the number
// matches the stored one or its part before "/" (Pokémon "4/102").
func (db *DB) CollectionCardsByNumber(ctx context.Context, keys []collection.NumberKey) (map[collection.NumberKey]collection.CardInfo, error) {
	out := map[collection.NumberKey]collection.CardInfo{}
	if len(keys) == 0 {
		return out, nil
	}
	games, sets, nums := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		games[i], sets[i], nums[i] = k.Game, strings.ToLower(k.Set), strings.ToLower(k.Number)
	}
	rows, err := db.Pool.Query(ctx, `SELECT k.game, k.set, k.num, ci.* FROM unnest($1::text[], $2::text[], $3::text[]) AS k(game, set, num)
		CROSS JOIN LATERAL (`+cardInfoSelect+`
			FROM cards c JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id
			LEFT JOIN variants v ON v.card_id = c.id LEFT JOIN printings p ON p.id = v.printing_id
			WHERE (k.game = '' OR g.slug = k.game OR k.game = ANY(g.aliases)) AND lower(s.code) = k.set
			  AND (lower(c.collector_number) = k.num OR split_part(lower(c.collector_number), '/', 1) = k.num
			       OR ltrim(split_part(c.collector_number, '/', 1), '0') = ltrim(k.num, '0'))
			GROUP BY c.id, g.slug ORDER BY c.id LIMIT 1) ci`, games, sets, nums)
	if err != nil {
		return nil, wrap("collection: cards by number", err, "")
	}
	defer rows.Close()
	for rows.Next() {
		var k collection.NumberKey
		var c collection.CardInfo
		var ids []int64
		var runs, fins, labels []string
		if err := rows.Scan(&k.Game, &k.Set, &k.Number, &c.ID, &c.Name, &c.GameSlug, &ids, &runs, &fins, &labels); err != nil {
			return nil, wrap("collection: cards by number", err, "")
		}
		for i := range ids {
			c.Variants = append(c.Variants, collection.VariantInfo{ID: ids[i], PrintRun: runs[i], Finish: fins[i], Label: labels[i]})
		}
		out[k] = c
	}
	return out, wrap("collection: cards by number", rows.Err(), "")
}

// CollectionCardsByName resolves lower-cased card names of one game (the newest set
// first; "" game = any).
func (db *DB) CollectionCardsByName(ctx context.Context, game string, names []string) (map[string]collection.CardInfo, error) {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT ON (lower(c.name)) ci.* FROM unnest($2::text[]) AS n(name)
		CROSS JOIN LATERAL (`+cardInfoSelect+`
			FROM cards c JOIN sets s ON s.id = c.set_id JOIN games g ON g.id = c.game_id
			LEFT JOIN variants v ON v.card_id = c.id LEFT JOIN printings p ON p.id = v.printing_id
			WHERE lower(c.name) = n.name AND ($1 = '' OR g.slug = $1 OR $1 = ANY(g.aliases))
			GROUP BY c.id, g.slug, s.release_date ORDER BY s.release_date DESC NULLS LAST, c.id LIMIT 1) ci
		JOIN cards c ON c.id = ci.id`, game, names)
	if err != nil {
		return nil, wrap("collection: cards by name", err, "")
	}
	return collectCards(rows, func(c collection.CardInfo) string { return strings.ToLower(c.Name) })
}

// AddCollectionEntry stores one entry.
func (db *DB) AddCollectionEntry(ctx context.Context, userID int64, in collection.EntryInput) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, insertEntry+` RETURNING id`, entryArgs(userID, in)...).Scan(&id)
	return id, wrap("collection: add", err, "")
}

const insertEntry = `INSERT INTO collection_entries (user_id, card_id, variant, variant_id, quantity, condition,
	price_paid_minor, graded, grading_company, grade) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`

func entryArgs(userID int64, in collection.EntryInput) []any {
	return []any{userID, in.CardID, in.Variant, in.VariantID, in.Quantity, string(in.Condition),
		in.PricePaidMinor, in.Graded, in.GradingCompany, in.Grade}
}

// AddCollectionEntries stores entries in one statement (one COPY), so
// their collection_values are computed set-based, once, with them.
func (db *DB) AddCollectionEntries(ctx context.Context, userID int64, in []collection.EntryInput) error {
	rows := make([][]any, len(in))
	for i, e := range in {
		rows[i] = entryArgs(userID, e)
	}
	_, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"collection_entries"}, []string{"user_id", "card_id", "variant",
		"variant_id", "quantity", "condition", "price_paid_minor", "graded", "grading_company", "grade"}, pgx.CopyFromRows(rows))
	return wrap("collection: import", err, "")
}

// UpdateCollectionEntry changes the patch's fields of the user's entry.
func (db *DB) UpdateCollectionEntry(ctx context.Context, userID, id int64, p collection.EntryPatch) error {
	var cond *string
	if p.Condition != nil {
		c := string(*p.Condition)
		cond = &c
	}
	tag, err := db.Pool.Exec(ctx, `UPDATE collection_entries SET
		quantity = coalesce($3, quantity),
		condition = coalesce($4, condition),
		variant = CASE WHEN $5 THEN NULL ELSE coalesce($6, variant) END,
		variant_id = CASE WHEN $5 THEN NULL ELSE coalesce($7, variant_id) END,
		price_paid_minor = coalesce($8, price_paid_minor),
		graded = coalesce($9, graded),
		grading_company = CASE WHEN $12 THEN NULL WHEN $10::text IS NULL THEN grading_company ELSE NULLIF($10, '') END,
		grade = CASE WHEN $12 THEN NULL ELSE coalesce($11::numeric, grade) END
		WHERE id = $2 AND user_id = $1`,
		userID, id, p.Quantity, cond, p.ClearVariant, p.Variant, p.VariantID, p.PricePaidMinor, p.Graded,
		p.GradingCompany, p.Grade, p.ClearGrade)
	if err != nil {
		return wrap("collection: update", err, "")
	}
	if tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Collection entry not found")
	}
	return nil
}

// DeleteCollectionEntry removes the user's entry.
func (db *DB) DeleteCollectionEntry(ctx context.Context, userID, id int64) error {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM collection_entries WHERE id = $2 AND user_id = $1`, userID, id)
	if err != nil {
		return wrap("collection: delete", err, "")
	}
	if tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Collection entry not found")
	}
	return nil
}

// CollectionEntry reads one of the user's entries.
func (db *DB) CollectionEntry(ctx context.Context, userID, id int64, currency string) (collection.Entry, error) {
	e, err := scanEntry(db.Pool.QueryRow(ctx, `SELECT `+entryCols+entryFrom+` WHERE e.user_id = $1 AND e.id = $4`,
		userID, currency, collection.MarketPriceTypes, id), currency)
	return e, wrap("collection: entry", err, "Collection entry not found")
}

var entryOrder = map[string]string{
	collection.SortAdded: `e.added_at DESC, e.id DESC`,
	collection.SortName:  `c.name, e.id`,
	collection.SortValue: `px.amount_minor * e.quantity DESC NULLS LAST, e.id DESC`,
}

// CollectionEntries pages the user's entries.
func (db *DB) CollectionEntries(ctx context.Context, userID int64, q collection.ListQuery) ([]collection.Entry, int, error) {
	order, ok := entryOrder[q.Sort]
	if !ok {
		order = entryOrder[collection.SortAdded]
	}
	var total int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM collection_entries e JOIN cards c ON c.id = e.card_id
		JOIN games g ON g.id = c.game_id WHERE e.user_id = $1 AND ($2 = '' OR g.slug = $2 OR $2 = ANY(g.aliases))`,
		userID, q.TCG).Scan(&total)
	if err != nil {
		return nil, 0, wrap("collection: count", err, "")
	}
	rows, err := db.Pool.Query(ctx, `SELECT `+entryCols+entryFrom+`
		WHERE e.user_id = $1 AND ($4 = '' OR g.slug = $4 OR $4 = ANY(g.aliases))
		ORDER BY `+order+` LIMIT $5 OFFSET $6`,
		userID, q.Currency, collection.MarketPriceTypes, q.TCG, q.Limit, q.Offset)
	if err != nil {
		return nil, 0, wrap("collection: list", err, "")
	}
	defer rows.Close()
	out := []collection.Entry{}
	for rows.Next() {
		e, err := scanEntry(rows, q.Currency)
		if err != nil {
			return nil, 0, wrap("collection: list", err, "")
		}
		out = append(out, e)
	}
	return out, total, wrap("collection: list", rows.Err(), "")
}

// CollectionPortfolio values the user's entries now, a day and a week
// before today (the latest non-outlier point on or before each day, at
// most a month older; an entry without such a point counts at its current
// price) in one statement, so from one snapshot of the price store. JIT
// compilation is off for it: the plan's cost estimate grows with the
// collection past jit_above_cost, and compiling costs far more than the
// query runs.
func (db *DB) CollectionPortfolio(ctx context.Context, userID int64, currency string, today time.Time) (collection.Portfolio, error) {
	return db.PortfolioFrom(ctx, portfolioQuery, userID, currency, today)
}

// PortfolioFrom is CollectionPortfolio with another statement of
// PortfolioSQL (bench-collection times the ones it replaced with it).
func (db *DB) PortfolioFrom(ctx context.Context, statement string, userID int64, currency string, today time.Time) (collection.Portfolio, error) {
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	p := collection.Portfolio{ByTCGMinor: map[string]int64{}}
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, statement, userID, currency,
			day.AddDate(0, 0, -1), day.AddDate(0, 0, -7), portfolioBackDays)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var top bool
			var game, name *string
			var cardID *int64
			var copies, priced, total, d1, d7 int64
			if err := rows.Scan(&top, &game, &cardID, &name, &copies, &priced, &total, &d1, &d7); err != nil {
				return err
			}
			if top {
				p.TopCard = &collection.TopCard{CardID: *cardID, Name: *name, Value: collection.FromMinor(total)}
				continue
			}
			p.CardCount += int(copies)
			p.PricedCount += int(priced)
			p.TotalMinor += total
			p.Ago24hMinor += d1
			p.Ago7dMinor += d7
			if game != nil && priced > 0 {
				p.ByTCGMinor[*game] += total
			}
		}
		return rows.Err()
	})
	if err != nil {
		return collection.Portfolio{}, wrap("collection: portfolio", err, "")
	}
	return p, nil
}

// portfolioQuery values the entries of user $1 in currency $2 now and on
// the days $3 and $4 (see PortfolioSQL) from their collection_values rows
// (maintained by the collection and price write paths, clustered by user:
// one index range scan).
var portfolioQuery = PortfolioSQL(`
	SELECT cv.entry_id AS id, cv.card_id, cv.quantity AS q, cv.series_id, cv.game_id, cv.as_of AS top,
	       cv.amount_minor AS cur, cv.back
	FROM collection_values cv WHERE cv.user_id = $1 AND cv.currency = $2`)

// PortfolioSQL is the portfolio statement over entries, a query of the
// entries of user $1 in currency $2 (columns id, card_id, q, series_id,
// game_id, top = the latest price's day, cur = that price, back = the
// stored look-back values; NULL prices for an unpriced entry): it values them now and on the days
// $3 and $4, sums them per game and adds the most valuable entry (top =
// true). A look-back past the stored values ($5 days; graded series store
// none) reads price_points. Exported for bench-collection, which times
// the row sources this one replaced with it (PortfolioFrom).
func PortfolioSQL(entries string) string {
	return `
	WITH y AS (` + entries + `
	), v AS MATERIALIZED (
		SELECT y.id, y.card_id, y.q, y.game_id, y.cur, ` + lookBack("$3") + ` AS d1, ` + lookBack("$4") + ` AS d7
		FROM y
	)
	SELECT false, g.slug, NULL::bigint, NULL::text, s.copies, s.priced, s.total, s.d1, s.d7 FROM (
		SELECT game_id, sum(q)::bigint AS copies, coalesce(sum(q) FILTER (WHERE cur IS NOT NULL), 0)::bigint AS priced,
		       coalesce(sum(cur * q), 0)::bigint AS total, coalesce(sum(coalesce(d1, cur) * q), 0)::bigint AS d1,
		       coalesce(sum(coalesce(d7, cur) * q), 0)::bigint AS d7
		FROM v GROUP BY game_id) s
	LEFT JOIN games g ON g.id = s.game_id
	UNION ALL
	SELECT true, NULL, t.card_id, c.name, t.q, t.q, t.value, 0, 0 FROM (
		SELECT card_id, q, cur * q AS value FROM v WHERE cur IS NOT NULL ORDER BY cur * q DESC, id LIMIT 1) t
	JOIN cards c ON c.id = t.card_id`
}

// lookBack is the SQL of an entry y's price on day d: its latest price
// when that is on or before d (if at most 31 days older), else the stored
// look-back value, else the latest non-outlier point of price_points in
// [d - 31, d].
func lookBack(d string) string {
	return `CASE WHEN y.top IS NULL THEN NULL
		WHEN y.top <= ` + d + `::date THEN CASE WHEN ` + d + `::date - y.top <= 31 THEN y.cur END
		WHEN y.back IS NOT NULL AND y.top - ` + d + `::date < $5 THEN y.back[y.top - ` + d + `::date + 1]
		ELSE (SELECT pt.amount_minor FROM price_points pt WHERE pt.series_id = y.series_id
		      AND pt.as_of BETWEEN ` + d + `::date - 31 AND ` + d + `::date AND NOT pt.is_outlier
		      ORDER BY pt.as_of DESC LIMIT 1) END`
}

// PortfolioSeries returns copies per valuing series of the user's entries
// and those series' points in [from, to] plus the last one before from,
// ordered by day.
func (db *DB) PortfolioSeries(ctx context.Context, userID int64, currency string, from, to time.Time) (map[int64]int64, []collection.SeriesPoint, error) {
	rows, err := db.Pool.Query(ctx, `SELECT px.series_id, sum(e.quantity)::bigint FROM collection_entries e
		CROSS JOIN LATERAL (`+priceOfEntry+`) px
		WHERE e.user_id = $1 GROUP BY px.series_id`, userID, currency, collection.MarketPriceTypes)
	if err != nil {
		return nil, nil, wrap("collection: history series", err, "")
	}
	qty := map[int64]int64{}
	var ids []int64
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, nil, wrap("collection: history series", err, "")
		}
		qty[id] = n
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, wrap("collection: history series", err, "")
	}
	rows, err = db.Pool.Query(ctx, `
		SELECT series_id, as_of, amount_minor FROM (
			SELECT p.series_id, p.as_of, p.amount_minor FROM price_points p
			WHERE p.series_id = ANY($1) AND p.as_of BETWEEN $2::date AND $3::date AND NOT p.is_outlier
			UNION ALL
			SELECT b.series_id, b.as_of, b.amount_minor FROM unnest($1::bigint[]) AS s(id)
			CROSS JOIN LATERAL (SELECT p.series_id, p.as_of, p.amount_minor FROM price_points p
				WHERE p.series_id = s.id AND p.as_of < $2::date AND p.as_of >= $2::date - 366 AND NOT p.is_outlier
				ORDER BY p.as_of DESC LIMIT 1) b
		) x ORDER BY as_of, series_id`, ids, from, to)
	if err != nil {
		return nil, nil, wrap("collection: history points", err, "")
	}
	defer rows.Close()
	var out []collection.SeriesPoint
	for rows.Next() {
		var p collection.SeriesPoint
		if err := rows.Scan(&p.SeriesID, &p.Day, &p.Minor); err != nil {
			return nil, nil, wrap("collection: history points", err, "")
		}
		out = append(out, p)
	}
	return qty, out, wrap("collection: history points", rows.Err(), "")
}
