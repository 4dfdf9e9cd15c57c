package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
)

const dateFmt = "2006-01-02"

// Stats returns the pre-aggregated counters.
func (db *DB) Stats(ctx context.Context) (catalog.Stats, error) {
	rows, err := db.Pool.Query(ctx, `SELECT name, value, updated_at FROM catalog_counters`)
	if err != nil {
		return catalog.Stats{}, wrap("stats", err, "")
	}
	defer rows.Close()
	var st catalog.Stats
	for rows.Next() {
		var name string
		var v int64
		var at time.Time
		if err := rows.Scan(&name, &v, &at); err != nil {
			return st, wrap("stats", err, "")
		}
		if at.After(st.UpdatedAt) {
			st.UpdatedAt = at
		}
		switch name {
		case "games":
			st.Games = v
		case "sets":
			st.Sets = v
		case "cards":
			st.Cards = v
		case "variants":
			st.Variants = v
		case "images":
			st.Images = v
		case "price_points":
			st.PricePoints = v
		}
	}
	return st, wrap("stats", rows.Err(), "")
}

// Games lists every active game with its counters.
func (db *DB) Games(ctx context.Context) ([]catalog.Game, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT id, slug, name, active, cards_count, sets_count FROM games
		WHERE active ORDER BY slug`)
	if err != nil {
		return nil, wrap("games", err, "")
	}
	games, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (catalog.Game, error) {
		var g catalog.Game
		err := r.Scan(&g.ID, &g.Slug, &g.Name, &g.Active, &g.Cards, &g.Sets)
		return g, err
	})
	if games == nil {
		games = []catalog.Game{}
	}
	return games, wrap("games", err, "")
}

// Game returns a game (by slug or legacy alias) with one page of its sets.
func (db *DB) Game(ctx context.Context, slug string, p catalog.Page) (catalog.Game, []catalog.Set, int64, error) {
	var g catalog.Game
	var total int64
	err := db.Pool.QueryRow(ctx, `
		SELECT id, slug, name, active, cards_count, sets_count,
		       (SELECT count(*) FROM sets s WHERE s.game_id = g.id)
		FROM games g WHERE slug = $1 OR $1 = ANY(aliases)
		ORDER BY slug = $1 DESC LIMIT 1`, slug).
		Scan(&g.ID, &g.Slug, &g.Name, &g.Active, &g.Cards, &g.Sets, &total)
	if err != nil {
		return g, nil, 0, wrap("game", err, "Game not found")
	}
	if g.Sets != nil {
		total = *g.Sets
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT id, code, name, series, release_date, total_cards, card_count, is_promo, language
		FROM sets WHERE game_id = $1
		ORDER BY release_date NULLS LAST, id LIMIT $2 OFFSET $3`, g.ID, p.Size, p.Offset())
	if err != nil {
		return g, nil, 0, wrap("game: sets", err, "")
	}
	sets, err := pgx.CollectRows(rows, scanSet)
	if sets == nil {
		sets = []catalog.Set{}
	}
	return g, sets, total, wrap("game: sets", err, "")
}

func scanSet(r pgx.CollectableRow) (catalog.Set, error) {
	var s catalog.Set
	var rd *time.Time
	err := r.Scan(&s.ID, &s.Code, &s.Name, &s.Series, &rd, &s.TotalCards, &s.CardCount, &s.IsPromo, &s.Language)
	s.ReleaseDate = fmtDate(rd)
	return s, err
}

func fmtDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(dateFmt)
	return &s
}

const cardSummaryCols = `c.id, c.name, c.collector_number, c.rarity, c.card_type, c.set_id,
	(SELECT url FROM images i WHERE i.card_id = c.id ORDER BY i.position, i.id LIMIT 1)`

func scanCardSummary(r pgx.CollectableRow) (catalog.CardSummary, error) {
	var c catalog.CardSummary
	err := r.Scan(&c.ID, &c.Name, &c.CollectorNumber, &c.Rarity, &c.CardType, &c.SetID, &c.ThumbnailURL)
	return c, err
}

// Set returns a set with its game and one page of its cards.
func (db *DB) Set(ctx context.Context, id int64, p catalog.Page) (catalog.Set, catalog.GameRef, []catalog.CardSummary, int64, error) {
	var s catalog.Set
	var g catalog.GameRef
	var rd *time.Time
	err := db.Pool.QueryRow(ctx, `
		SELECT s.id, s.code, s.name, s.series, s.release_date, s.total_cards, s.card_count,
		       s.is_promo, s.language, g.slug, g.name
		FROM sets s JOIN games g ON g.id = s.game_id WHERE s.id = $1`, id).
		Scan(&s.ID, &s.Code, &s.Name, &s.Series, &rd, &s.TotalCards, &s.CardCount, &s.IsPromo, &s.Language, &g.Slug, &g.Name)
	if err != nil {
		return s, g, nil, 0, wrap("set", err, "Set not found")
	}
	s.ReleaseDate = fmtDate(rd)
	rows, err := db.Pool.Query(ctx, `SELECT `+cardSummaryCols+` FROM cards c
		WHERE c.set_id = $1 ORDER BY c.position, c.id LIMIT $2 OFFSET $3`, id, p.Size, p.Offset())
	if err != nil {
		return s, g, nil, 0, wrap("set: cards", err, "")
	}
	cards, err := pgx.CollectRows(rows, scanCardSummary)
	if cards == nil {
		cards = []catalog.CardSummary{}
	}
	return s, g, cards, s.CardCount, wrap("set: cards", err, "")
}

// FindCards is the resolver: game slug, name substring, exact number; ANDed.
func (db *DB) FindCards(ctx context.Context, f catalog.CardFilter) ([]catalog.CardSummary, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+cardSummaryCols+` FROM cards c
		WHERE ($1 = '' OR c.game_id = (SELECT id FROM games WHERE slug = $1 OR $1 = ANY(aliases) ORDER BY slug = $1 DESC LIMIT 1))
		  AND ($2 = '' OR lower(c.name) LIKE '%' || lower($2) || '%')
		  AND ($3 = '' OR c.collector_number = $3)
		ORDER BY (lower(c.name) = lower($5)) DESC, c.id
		LIMIT $4`, f.Game, escapeLike(f.Name), f.Number, f.Limit, f.Name)
	if err != nil {
		return nil, wrap("find cards", err, "")
	}
	cards, err := pgx.CollectRows(rows, scanCardSummary)
	if cards == nil {
		cards = []catalog.CardSummary{}
	}
	return cards, wrap("find cards", err, "")
}

// escapeLike escapes LIKE wildcards so a name matches literally.
func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
