package postgres

import (
	"context"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
)

// DeckGameSlug resolves a slug or alias to the game's slug.
func (db *DB) DeckGameSlug(ctx context.Context, slug string) (string, error) {
	var out string
	err := db.Pool.QueryRow(ctx, `SELECT slug FROM games WHERE slug = $1 OR $1 = ANY(aliases) ORDER BY slug = $1 DESC LIMIT 1`,
		slug).Scan(&out)
	return out, wrap("decks: game", err, "Game not found")
}

// CreateDeck creates a deck (EFORBIDDEN beyond collection.MaxDecks).
func (db *DB) CreateDeck(ctx context.Context, userID int64, d collection.NewDeck) (int64, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `INSERT INTO decks (user_id, name, game_id, format, is_public)
		SELECT $1, $2, g.id, $4, $5 FROM games g WHERE g.slug = $3
		  AND (SELECT count(*) FROM decks WHERE user_id = $1) < $6
		RETURNING id`, userID, d.Name, d.Game, d.Format, d.IsPublic, collection.MaxDecks).Scan(&id)
	if err == pgx.ErrNoRows {
		return 0, catalog.Errorf(catalog.EFORBIDDEN, "Deck limit reached (%d)", collection.MaxDecks)
	}
	return id, wrap("decks: create", err, "")
}

const deckCols = `d.id, d.user_id, u.username, d.name, g.slug, d.format, d.is_public,
	coalesce((SELECT sum(quantity) FROM deck_cards dc WHERE dc.deck_id = d.id), 0), d.created_at, d.updated_at`

const deckFrom = ` FROM decks d JOIN users u ON u.id = d.user_id JOIN games g ON g.id = d.game_id`

func scanDeck(r pgx.Row) (collection.Deck, error) {
	var d collection.Deck
	err := r.Scan(&d.ID, &d.UserID, &d.Owner, &d.Name, &d.TCGSlug, &d.Format, &d.IsPublic, &d.CardCount, &d.CreatedAt, &d.UpdatedAt)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

// Decks lists the user's decks, newest first.
func (db *DB) Decks(ctx context.Context, userID int64) ([]collection.Deck, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+deckCols+deckFrom+` WHERE d.user_id = $1 ORDER BY d.id DESC`, userID)
	if err != nil {
		return nil, wrap("decks: list", err, "")
	}
	defer rows.Close()
	out := []collection.Deck{}
	for rows.Next() {
		d, err := scanDeck(rows)
		if err != nil {
			return nil, wrap("decks: list", err, "")
		}
		out = append(out, d)
	}
	return out, wrap("decks: list", rows.Err(), "")
}

// Deck reads any deck with its cards priced in currency.
func (db *DB) Deck(ctx context.Context, id int64, currency string) (collection.Deck, error) {
	d, err := scanDeck(db.Pool.QueryRow(ctx, `SELECT `+deckCols+deckFrom+` WHERE d.id = $1`, id))
	if err != nil {
		return d, wrap("decks: get", err, "Deck not found")
	}
	rows, err := db.Pool.Query(ctx, `SELECT dc.card_id, c.name, dc.section, dc.quantity, coalesce(c.card_type, ''), s.code,
			c.collector_number, px.amount_minor, img.url
		FROM deck_cards dc JOIN cards c ON c.id = dc.card_id JOIN sets s ON s.id = c.set_id
		LEFT JOIN LATERAL (`+marketPriceOf("dc.card_id", "$2", "$3")+`) px ON true
		LEFT JOIN LATERAL (SELECT i.url FROM images i WHERE i.card_id = dc.card_id
		                   ORDER BY i.is_placeholder, i.position, i.id LIMIT 1) img ON true
		WHERE dc.deck_id = $1`, id, currency, collection.MarketPriceTypes)
	if err != nil {
		return d, wrap("decks: cards", err, "")
	}
	defer rows.Close()
	d.Cards = []collection.DeckCard{}
	for rows.Next() {
		var c collection.DeckCard
		var sec string
		var price *int64
		if err := rows.Scan(&c.CardID, &c.Name, &sec, &c.Quantity, &c.CardType, &c.SetCode, &c.Number, &price, &c.ImageURL); err != nil {
			return d, wrap("decks: cards", err, "")
		}
		c.Section = collection.Section(sec)
		if price != nil {
			v := collection.FromMinor(*price)
			c.UnitPrice = &v
		}
		d.Cards = append(d.Cards, c)
	}
	if err := rows.Err(); err != nil {
		return d, wrap("decks: cards", err, "")
	}
	order := map[collection.Section]int{collection.SectionCommander: 0, collection.SectionMain: 1, collection.SectionSideboard: 2}
	sort.SliceStable(d.Cards, func(i, j int) bool {
		a, b := d.Cards[i], d.Cards[j]
		if a.Section != b.Section {
			return order[a.Section] < order[b.Section]
		}
		return a.Name < b.Name
	})
	return d, nil
}

// UpdateDeck changes the user's deck.
func (db *DB) UpdateDeck(ctx context.Context, userID, id int64, p collection.DeckPatch) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE decks SET name = coalesce($3, name),
		format = CASE WHEN $4::text IS NULL THEN format ELSE NULLIF($4, '') END,
		is_public = coalesce($5, is_public), updated_at = now()
		WHERE id = $2 AND user_id = $1`, userID, id, p.Name, p.Format, p.IsPublic)
	if err != nil {
		return wrap("decks: update", err, "")
	}
	if tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Deck not found")
	}
	return nil
}

// DeleteDeck deletes the user's deck.
func (db *DB) DeleteDeck(ctx context.Context, userID, id int64) error {
	tag, err := db.Pool.Exec(ctx, `DELETE FROM decks WHERE id = $2 AND user_id = $1`, userID, id)
	if err != nil {
		return wrap("decks: delete", err, "")
	}
	if tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Deck not found")
	}
	return nil
}

// AddDeckCards adds the cards' quantities (capped at 999 a card and
// section) to the user's deck in one transaction.
func (db *DB) AddDeckCards(ctx context.Context, userID, deckID int64, cards []collection.DeckCard) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE decks SET updated_at = now() WHERE id = $2 AND user_id = $1`, userID, deckID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return catalog.Errorf(catalog.ENOTFOUND, "Deck not found")
		}
		ids, secs, qty := make([]int64, len(cards)), make([]string, len(cards)), make([]int32, len(cards))
		for i, c := range cards {
			ids[i], secs[i], qty[i] = c.CardID, string(c.Section), int32(c.Quantity)
		}
		_, err = tx.Exec(ctx, `INSERT INTO deck_cards (deck_id, card_id, section, quantity)
			SELECT $1, card_id, section, least(sum(q), $5) FROM unnest($2::bigint[], $3::text[], $4::int[]) AS x(card_id, section, q)
			GROUP BY card_id, section
			ON CONFLICT (deck_id, section, card_id) DO UPDATE SET quantity = least(deck_cards.quantity + EXCLUDED.quantity, $5)`,
			deckID, ids, secs, qty, collection.MaxDeckCards)
		return err
	})
	if pgCode(err) == "23503" {
		return catalog.Errorf(catalog.ENOTFOUND, "Card not found")
	}
	return wrap("decks: add cards", err, "")
}

// RemoveDeckCard removes quantity (0 = all) copies of a card from a
// section of the user's deck.
func (db *DB) RemoveDeckCard(ctx context.Context, userID, deckID, cardID int64, section collection.Section, quantity int) error {
	var n int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE decks SET updated_at = now() WHERE id = $2 AND user_id = $1`, userID, deckID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return catalog.Errorf(catalog.ENOTFOUND, "Deck not found")
		}
		if quantity > 0 {
			tag, err = tx.Exec(ctx, `UPDATE deck_cards SET quantity = quantity - $4
				WHERE deck_id = $1 AND card_id = $2 AND section = $3 AND quantity > $4`, deckID, cardID, string(section), quantity)
			if err != nil {
				return err
			}
			if n = tag.RowsAffected(); n > 0 {
				return nil
			}
		}
		tag, err = tx.Exec(ctx, `DELETE FROM deck_cards WHERE deck_id = $1 AND card_id = $2 AND section = $3`, deckID, cardID, string(section))
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return wrap("decks: remove card", err, "")
	}
	if n == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Card not in this deck section")
	}
	return nil
}

// CardLegalities returns the cards' legality status in format: "Not
// Legal" when a card has legalities but none for format (MTGJSON omits
// those), absent when it has none at all.
func (db *DB) CardLegalities(ctx context.Context, cardIDs []int64, format string) (map[int64]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT card_id, coalesce(max(status) FILTER (WHERE format = $2), 'Not Legal')
		FROM card_legalities WHERE card_id = ANY($1) GROUP BY card_id`, cardIDs, format)
	if err != nil {
		return nil, wrap("decks: legalities", err, "")
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, wrap("decks: legalities", err, "")
		}
		out[id] = st
	}
	return out, wrap("decks: legalities", rows.Err(), "")
}
