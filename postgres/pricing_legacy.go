package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/pricing"
)

var _ pricing.Store = (*DB)(nil)

const tcgSelect = `SELECT t.id, t.slug, t.name, t.publisher, t.website_url, t.description, t.created_at,
	coalesce(g.cards_count, 0), coalesce(g.sets_count, 0)
	FROM tcg_directory t LEFT JOIN games g ON g.slug = t.game_slug`

func scanTCG(r pgx.Row) (pricing.TCG, error) {
	var t pricing.TCG
	err := r.Scan(&t.ID, &t.Slug, &t.Name, &t.Publisher, &t.WebsiteURL, &t.Description, &t.CreatedAt, &t.CardCount, &t.SetCount)
	return t, err
}

// TCGs lists the legacy TCG directory with each game's counters.
func (db *DB) TCGs(ctx context.Context) ([]pricing.TCG, error) {
	rows, err := db.Pool.Query(ctx, tcgSelect+` ORDER BY t.id`)
	if err != nil {
		return nil, wrap("tcgs", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.TCG, error) { return scanTCG(r) })
	return out, wrap("tcgs", err, "")
}

// TCG returns one legacy TCG.
func (db *DB) TCG(ctx context.Context, slug string) (pricing.TCG, error) {
	t, err := scanTCG(db.Pool.QueryRow(ctx, tcgSelect+` WHERE t.slug = $1`, slug))
	return t, wrap("tcg", err, "TCG not found")
}

// gameOf is the SQL for the game id of a legacy slug ($n).
func gameOf(n string) string {
	return `(SELECT g.id FROM games g JOIN tcg_directory t ON t.game_slug = g.slug WHERE t.slug = ` + n + `)`
}

const legacySetCols = `s.id, (SELECT t.id FROM tcg_directory t JOIN games g ON g.slug = t.game_slug WHERE g.id = s.game_id),
	s.name, s.code, to_char(s.release_date, 'YYYY-MM-DD'), s.total_cards, s.card_count`

func scanLegacySet(r pgx.Row) (pricing.LegacySet, error) {
	var s pricing.LegacySet
	var tcgID *int
	err := r.Scan(&s.ID, &tcgID, &s.Name, &s.Code, &s.ReleaseDate, &s.TotalCards, &s.CardCount)
	if tcgID != nil {
		s.TCGID = *tcgID
	}
	return s, err
}

// LegacySets lists a TCG's sets, newest release first.
func (db *DB) LegacySets(ctx context.Context, tcg string, limit, offset int) (pricing.Page[pricing.LegacySet], error) {
	p := pricing.Page[pricing.LegacySet]{Limit: limit, Offset: offset, Items: []pricing.LegacySet{}}
	rows, err := db.Pool.Query(ctx, `SELECT `+legacySetCols+` FROM sets s
		WHERE s.game_id = `+gameOf("$1")+` ORDER BY s.release_date DESC NULLS LAST, s.id LIMIT $2 OFFSET $3`, tcg, limit, offset)
	if err != nil {
		return p, wrap("legacy sets", err, "")
	}
	p.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.LegacySet, error) { return scanLegacySet(r) })
	if err != nil {
		return p, wrap("legacy sets", err, "")
	}
	err = db.Pool.QueryRow(ctx, `SELECT count(*) FROM sets WHERE game_id = `+gameOf("$1"), tcg).Scan(&p.Total)
	return p, wrap("legacy sets", err, "")
}

// LegacySet returns one set of a TCG.
func (db *DB) LegacySet(ctx context.Context, tcg string, id int64) (pricing.LegacySet, error) {
	s, err := scanLegacySet(db.Pool.QueryRow(ctx, `SELECT `+legacySetCols+` FROM sets s
		WHERE s.id = $2 AND s.game_id = `+gameOf("$1"), tcg, id))
	return s, wrap("legacy set", err, "Set not found")
}

// SetStats aggregates a set's headline prices (card_price_summary, USD).
func (db *DB) SetStats(ctx context.Context, id int64) (pricing.SetStats, error) {
	st := pricing.SetStats{SetID: id, Currency: "USD"}
	var lo, hi, sum *int64
	var avg *float64
	err := db.Pool.QueryRow(ctx, `SELECT s.card_count, count(p.usd_minor), min(p.usd_minor), max(p.usd_minor),
		avg(p.usd_minor)::float8, sum(p.usd_minor)::bigint
		FROM sets s LEFT JOIN card_price_summary p ON p.set_id = s.id WHERE s.id = $1 GROUP BY s.id`, id).
		Scan(&st.CardCount, &st.PricedCard, &lo, &hi, &avg, &sum)
	if err != nil {
		return st, wrap("set stats", err, "Set not found")
	}
	if lo != nil {
		st.MinPrice, st.MaxPrice, st.TotalValue = fptr(*lo), fptr(*hi), fptr(*sum)
		a := float64(int64(*avg+0.5)) / 100
		st.AvgPrice = &a
	}
	return st, nil
}

func fptr(minor int64) *float64 { f := minorToAmount(minor); return &f }

// TopCards lists a set's most valuable cards by headline USD price.
func (db *DB) TopCards(ctx context.Context, setID int64, limit int) ([]pricing.TopCard, error) {
	var exists bool
	if err := db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sets WHERE id = $1)`, setID).Scan(&exists); err != nil {
		return nil, wrap("top cards", err, "")
	}
	if !exists {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "Set not found")
	}
	rows, err := db.Pool.Query(ctx, `SELECT c.id, c.name, c.collector_number, c.rarity,
		(SELECT url FROM images i WHERE i.card_id = c.id ORDER BY position, id LIMIT 1), p.usd_minor, g.slug
		FROM card_price_summary p JOIN cards c ON c.id = p.card_id JOIN games g ON g.id = c.game_id
		WHERE p.set_id = $1 AND p.usd_minor IS NOT NULL ORDER BY p.usd_minor DESC, c.id LIMIT $2`, setID, limit)
	if err != nil {
		return nil, wrap("top cards", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.TopCard, error) {
		var t pricing.TopCard
		var m *int64
		err := r.Scan(&t.CardID, &t.Name, &t.Number, &t.Rarity, &t.ImageURL, &m, &t.TCGSlug)
		if m != nil {
			t.BestPrice = fptr(*m)
		}
		t.TCGSlug = legacySlug(t.TCGSlug)
		return t, err
	})
	if out == nil {
		out = []pricing.TopCard{}
	}
	return out, wrap("top cards", err, "")
}

func legacySlug(game string) string {
	switch game {
	case catalog.GameMTG:
		return "mtg"
	case catalog.GameFAB:
		return "fab"
	case catalog.GameOnePiece:
		return "onepiece"
	}
	return game
}

const legacyCardCols = `c.id, c.set_id, c.name, c.collector_number, c.rarity, c.card_type,
	(SELECT url FROM images i WHERE i.card_id = c.id ORDER BY position, id LIMIT 1), g.slug, c.created_at`

func scanLegacyCard(r pgx.Row) (pricing.LegacyCard, error) {
	var c pricing.LegacyCard
	var created time.Time
	err := r.Scan(&c.ID, &c.CardSetID, &c.Name, &c.Number, &c.Rarity, &c.CardType, &c.LocalImageURL, &c.TCGSlug, &created)
	c.ImageURL = c.LocalImageURL
	c.TCGSlug = legacySlug(c.TCGSlug)
	c.CreatedAt = &created
	c.Attributes = map[string]string{}
	return c, err
}

// LegacyCards lists a TCG's cards with the optional set, rarity and name filters.
func (db *DB) LegacyCards(ctx context.Context, f pricing.CardFilter) (pricing.Page[pricing.LegacyCard], error) {
	p := pricing.Page[pricing.LegacyCard]{Limit: f.Limit, Offset: f.Offset, Items: []pricing.LegacyCard{}}
	where := `c.game_id = ` + gameOf("$1") + ` AND ($2 = 0 OR c.set_id = $2) AND ($3 = '' OR lower(c.rarity) = lower($3))
		AND ($4 = '' OR lower(c.name) LIKE '%' || $4 || '%')`
	name := likeEscape(strings.ToLower(f.Name))
	rows, err := db.Pool.Query(ctx, `SELECT `+legacyCardCols+` FROM cards c JOIN games g ON g.id = c.game_id
		WHERE `+where+` ORDER BY c.set_id, c.position, c.id LIMIT $5 OFFSET $6`, f.TCG, f.SetID, f.Rarity, name, f.Limit, f.Offset)
	if err != nil {
		return p, wrap("legacy cards", err, "")
	}
	p.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.LegacyCard, error) { return scanLegacyCard(r) })
	if err != nil {
		return p, wrap("legacy cards", err, "")
	}
	err = db.Pool.QueryRow(ctx, `SELECT count(*) FROM cards c WHERE `+where, f.TCG, f.SetID, f.Rarity, name).Scan(&p.Total)
	return p, wrap("legacy cards", err, "")
}

// likeEscape escapes LIKE wildcards in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// LegacyCard returns one card with its latest ungraded prices; tcg "" = any.
func (db *DB) LegacyCard(ctx context.Context, tcg string, id int64) (pricing.LegacyCardDetail, error) {
	var d pricing.LegacyCardDetail
	c, err := scanLegacyCard(db.Pool.QueryRow(ctx, `SELECT `+legacyCardCols+` FROM cards c JOIN games g ON g.id = c.game_id
		WHERE c.id = $1 AND ($2 = '' OR c.game_id = `+gameOf("$2")+`)`, id, tcg))
	if err != nil {
		return d, wrap("legacy card", err, "Card not found")
	}
	d.LegacyCard = c
	latest, err := db.LatestPrices(ctx, id)
	if err != nil {
		return d, err
	}
	d.Prices = []pricing.CardPrice{}
	for _, sp := range pricing.SourcePricesOf(latest) {
		d.Prices = append(d.Prices, pricing.CardPrice{Source: sp.Source, MarketPrice: sp.MarketPrice, Currency: sp.Currency,
			Variant: sp.Variant, PriceType: sp.PriceType, AsOf: sp.RecordedAt[:10]})
	}
	var m *int64
	if err := db.Pool.QueryRow(ctx, `SELECT usd_minor FROM card_price_summary WHERE card_id = $1`, id).Scan(&m); err != nil && err != pgx.ErrNoRows {
		return d, wrap("legacy card", err, "")
	}
	if m != nil {
		d.BestPrice = fptr(*m)
	}
	return d, nil
}

// RecentCards lists cards added since the day, newest first.
func (db *DB) RecentCards(ctx context.Context, tcg string, since time.Time, limit int) ([]pricing.LegacyCard, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+legacyCardCols+` FROM cards c JOIN games g ON g.id = c.game_id
		WHERE c.created_at >= $1 AND ($2 = '' OR c.game_id = `+gameOf("$2")+`)
		ORDER BY c.created_at DESC, c.id DESC LIMIT $3`, since, tcg, limit)
	if err != nil {
		return nil, wrap("recent cards", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.LegacyCard, error) { return scanLegacyCard(r) })
	if out == nil {
		out = []pricing.LegacyCard{}
	}
	return out, wrap("recent cards", err, "")
}

// BuyRefs returns the card's Cardmarket and TCGplayer ids per finish.
func (db *DB) BuyRefs(ctx context.Context, cardID int64) (pricing.BuyRefs, error) {
	r := pricing.BuyRefs{CardID: cardID, Cardmarket: map[string]string{}, TCGplayer: map[string]string{}}
	err := db.Pool.QueryRow(ctx, `SELECT c.name, s.name, g.slug FROM cards c JOIN sets s ON s.id = c.set_id
		JOIN games g ON g.id = c.game_id WHERE c.id = $1`, cardID).Scan(&r.Name, &r.SetName, &r.Game)
	if err != nil {
		return r, wrap("buy refs", err, "Card not found")
	}
	rows, err := db.Pool.Query(ctx, `SELECT e.source, e.external_id, coalesce(v.finish, '') FROM external_ids e
		LEFT JOIN variants v ON v.id = e.variant_id WHERE e.card_id = $1 AND e.source IN ($2, $3)
		ORDER BY e.variant_id NULLS FIRST, e.external_id`, cardID, catalog.XRefCardmarket, catalog.XRefTCGplayer)
	if err != nil {
		return r, wrap("buy refs", err, "")
	}
	var src, id, finish string
	_, err = pgx.ForEachRow(rows, []any{&src, &id, &finish}, func() error {
		m := r.Cardmarket
		if src == catalog.XRefTCGplayer {
			m = r.TCGplayer
		}
		if _, ok := m[finish]; !ok {
			m[finish] = id
		}
		return nil
	})
	return r, wrap("buy refs", err, "")
}

// EvolutionFacts walks the stored evolves_from links by name within the
// card's game: down to the basic form, then up through what evolves from
// each stage (the first card of each name, by id).
func (db *DB) EvolutionFacts(ctx context.Context, cardID int64) (pricing.Evolution, error) {
	ev := pricing.Evolution{CardID: cardID, Chain: []pricing.EvolutionStage{}}
	var gameID int64
	var name, stage, from string
	err := db.Pool.QueryRow(ctx, `SELECT c.game_id, c.name, coalesce(e.stage, ''), coalesce(e.evolves_from, '')
		FROM cards c LEFT JOIN card_evolution e ON e.card_id = c.id WHERE c.id = $1`, cardID).Scan(&gameID, &name, &stage, &from)
	if err != nil {
		return ev, wrap("evolution", err, "Card not found")
	}
	lookup := func(n string) (pricing.EvolutionStage, string, error) {
		st := pricing.EvolutionStage{Name: n}
		var id int64
		var s, f string
		err := db.Pool.QueryRow(ctx, `SELECT c.id, coalesce(e.stage, ''), coalesce(e.evolves_from, '') FROM cards c
			LEFT JOIN card_evolution e ON e.card_id = c.id WHERE c.game_id = $1 AND lower(c.name) = lower($2)
			ORDER BY (e.card_id IS NULL), c.id LIMIT 1`, gameID, n).Scan(&id, &s, &f)
		if err == pgx.ErrNoRows {
			return st, "", nil
		}
		if err != nil {
			return st, "", err
		}
		st.CardID, st.Stage = &id, s
		return st, f, nil
	}
	self := pricing.EvolutionStage{Stage: stage, Name: name, CardID: &cardID}
	chain := []pricing.EvolutionStage{self}
	seen := map[string]bool{strings.ToLower(name): true}
	for f := from; f != "" && !seen[strings.ToLower(f)] && len(chain) < 6; {
		seen[strings.ToLower(f)] = true
		st, next, err := lookup(f)
		if err != nil {
			return ev, wrap("evolution", err, "")
		}
		if st.Stage == "" && next == "" {
			st.Stage = pricing.StageBefore(chain[0].Stage)
		}
		chain = append([]pricing.EvolutionStage{st}, chain...)
		f = next
	}
	for cur := name; len(chain) < 6; {
		var n string
		err := db.Pool.QueryRow(ctx, `SELECT c.name FROM card_evolution e JOIN cards c ON c.id = e.card_id
			WHERE c.game_id = $1 AND lower(e.evolves_from) = lower($2) ORDER BY c.id LIMIT 1`, gameID, cur).Scan(&n)
		if err == pgx.ErrNoRows || seen[strings.ToLower(n)] {
			break
		}
		if err != nil {
			return ev, wrap("evolution", err, "")
		}
		seen[strings.ToLower(n)] = true
		st, _, err := lookup(n)
		if err != nil {
			return ev, wrap("evolution", err, "")
		}
		chain = append(chain, st)
		cur = n
	}
	ev.Chain = chain
	return ev, nil
}

const sealedCols = `sp.id, g.slug, sp.set_id, s.name, sp.name, sp.product_type`

// SealedList lists a TCG's sealed products with their latest prices.
func (db *DB) SealedList(ctx context.Context, tcg string, setID int64, limit, offset int) (pricing.Page[pricing.Sealed], error) {
	p := pricing.Page[pricing.Sealed]{Limit: limit, Offset: offset, Items: []pricing.Sealed{}}
	where := `sp.game_id = ` + gameOf("$1") + ` AND ($2 = 0 OR sp.set_id = $2)`
	rows, err := db.Pool.Query(ctx, `SELECT `+sealedCols+` FROM sealed_products sp JOIN sets s ON s.id = sp.set_id
		JOIN games g ON g.id = sp.game_id WHERE `+where+` ORDER BY sp.set_id, sp.id LIMIT $3 OFFSET $4`, tcg, setID, limit, offset)
	if err != nil {
		return p, wrap("sealed", err, "")
	}
	p.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.Sealed, error) {
		var s pricing.Sealed
		err := r.Scan(&s.ID, &s.TCGSlug, &s.SetID, &s.SetName, &s.Name, &s.ProductType)
		s.TCGSlug = legacySlug(s.TCGSlug)
		return s, err
	})
	if err != nil {
		return p, wrap("sealed", err, "")
	}
	for i := range p.Items {
		if p.Items[i].Prices, err = db.sealedLatest(ctx, p.Items[i].ID); err != nil {
			return p, err
		}
	}
	err = db.Pool.QueryRow(ctx, `SELECT count(*) FROM sealed_products sp WHERE `+where, tcg, setID).Scan(&p.Total)
	return p, wrap("sealed", err, "")
}

func (db *DB) sealedLatest(ctx context.Context, id int64) ([]pricing.CardPrice, error) {
	rows, err := db.Pool.Query(ctx, `SELECT s.source, s.price_type, s.currency, l.amount_minor, l.as_of
		FROM price_series s JOIN price_latest l ON l.series_id = s.id WHERE s.sealed_id = $1
		ORDER BY s.region, s.source, s.price_type`, id)
	if err != nil {
		return nil, wrap("sealed prices", err, "")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.CardPrice, error) {
		var p pricing.CardPrice
		var m int64
		var d time.Time
		err := r.Scan(&p.Source, &p.PriceType, &p.Currency, &m, &d)
		p.MarketPrice, p.AsOf, p.Variant = minorToAmount(m), d.Format(dateFmt), "sealed"
		return p, err
	})
	if out == nil {
		out = []pricing.CardPrice{}
	}
	return out, wrap("sealed prices", err, "")
}

// SealedDetail returns one sealed product of a TCG with days of history.
func (db *DB) SealedDetail(ctx context.Context, tcg string, id int64, days int, today time.Time) (pricing.SealedDetail, error) {
	var d pricing.SealedDetail
	err := db.Pool.QueryRow(ctx, `SELECT `+sealedCols+` FROM sealed_products sp JOIN sets s ON s.id = sp.set_id
		JOIN games g ON g.id = sp.game_id WHERE sp.id = $2 AND sp.game_id = `+gameOf("$1"), tcg, id).
		Scan(&d.ID, &d.TCGSlug, &d.SetID, &d.SetName, &d.Name, &d.ProductType)
	if err != nil {
		return d, wrap("sealed", err, "Sealed product not found")
	}
	d.TCGSlug = legacySlug(d.TCGSlug)
	if d.Prices, err = db.sealedLatest(ctx, id); err != nil {
		return d, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT p.as_of, s.source, s.price_type, s.currency, p.amount_minor
		FROM price_series s JOIN price_points p ON p.series_id = s.id
		WHERE s.sealed_id = $1 AND p.as_of > $2 AND p.as_of <= $3 AND NOT p.is_outlier
		ORDER BY p.as_of, s.source, s.price_type`, id, today.AddDate(0, 0, -days), today)
	if err != nil {
		return d, wrap("sealed history", err, "")
	}
	d.History, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.SeriesPoint, error) {
		var p pricing.SeriesPoint
		var day time.Time
		var m int64
		err := r.Scan(&day, &p.Source, &p.PriceType, &p.Currency, &m)
		p.Date, p.Price = day.Format(dateFmt), minorToAmount(m)
		return p, err
	})
	if d.History == nil {
		d.History = []pricing.SeriesPoint{}
	}
	return d, wrap("sealed history", err, "")
}
