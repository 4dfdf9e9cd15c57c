package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
)

// gameAliases are legacy slugs resolved to the canonical v2 game.
var gameAliases = map[string][]string{
	catalog.GameMTG:      {"mtg", "magic"},
	catalog.GameOnePiece: {"onepiece", "one_piece"},
	catalog.GameFAB:      {"fab"},
}

// UpsertGame creates or renames a game and returns its id; a rename
// re-renders the game's card documents in the same transaction.
func (db *DB) UpsertGame(ctx context.Context, g catalog.GameInfo) (int64, error) {
	aliases := gameAliases[g.Slug]
	if aliases == nil {
		aliases = []string{}
	}
	var id int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var renamed bool
		err := tx.QueryRow(ctx, `
			WITH old AS (SELECT name FROM games WHERE slug = $1)
			INSERT INTO games (slug, name, aliases) VALUES ($1, $2, $3)
			ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, aliases = EXCLUDED.aliases
			RETURNING id, coalesce((SELECT name <> $2 FROM old), false)`, g.Slug, g.Name, aliases).Scan(&id, &renamed)
		if err != nil || !renamed {
			return err
		}
		return refreshCardDocs(ctx, tx, `SELECT id FROM cards WHERE game_id = $1`, id)
	})
	return id, wrap("upsert game", err, "")
}

// UpsertSet writes one set with its cards, printings, variants, images,
// cross-references and sealed products in one transaction, keyed by natural
// keys so a re-import updates rather than duplicates.
func (db *DB) UpsertSet(ctx context.Context, gameID int64, s catalog.ImportSet) (catalog.ImportReport, error) {
	var rep catalog.ImportReport
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var setID int64
		lang := s.Language
		if lang == "" {
			lang = "en"
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO sets (id, game_id, code, name, series, release_date, total_cards, is_promo, language)
			VALUES (`+pinnedID("sets", 9)+`, $1, $2, $3, NULLIF($4, ''), NULLIF($5, '')::date, NULLIF($6, 0), $7, $8)
			ON CONFLICT (game_id, code) DO UPDATE SET name = EXCLUDED.name, series = EXCLUDED.series,
				release_date = EXCLUDED.release_date, total_cards = EXCLUDED.total_cards,
				is_promo = EXCLUDED.is_promo, language = EXCLUDED.language
			RETURNING id`, gameID, s.Code, s.Name, s.Series, s.ReleaseDate, s.TotalCards, s.IsPromo, lang, s.ID).Scan(&setID)
		if err != nil {
			return fmt.Errorf("set: %w", err)
		}
		rep.Sets++
		b := &pgx.Batch{}
		for ci, c := range s.Cards {
			queueCard(b, gameID, setID, ci, c, &rep)
		}
		for _, sp := range s.Sealed {
			b.Queue(`INSERT INTO sealed_products (game_id, set_id, name, product_type) VALUES ($1, $2, $3, $4)
				ON CONFLICT (set_id, name, product_type) DO NOTHING`, gameID, setID, sp.Name, sp.ProductType)
			rep.Sealed++
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return refreshCardDocs(ctx, tx, `SELECT id FROM cards WHERE set_id = $1`, setID)
	})
	if err != nil {
		return rep, wrap("upsert set "+s.Code, err, "")
	}
	return rep, nil
}

const cardKey = `SELECT id FROM cards WHERE set_id = $1 AND collector_number = $2 AND name = $3`

func queueCard(b *pgx.Batch, gameID, setID int64, pos int, c catalog.ImportCard, rep *catalog.ImportReport) {
	b.Queue(`INSERT INTO cards (id, set_id, game_id, name, collector_number, rarity, card_type, position)
		VALUES (`+pinnedID("cards", 8)+`, $1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7)
		ON CONFLICT (set_id, collector_number, name) DO UPDATE SET rarity = EXCLUDED.rarity,
			card_type = EXCLUDED.card_type, position = EXCLUDED.position`,
		setID, gameID, c.Name, c.CollectorNumber, c.Rarity, c.CardType, pos, c.ID)
	rep.Cards++
	queueLegalities(b, setID, c)
	for pi, p := range c.Printings {
		lang := p.Language
		if lang == "" {
			lang = "en"
		}
		number := p.CollectorNumber
		if number == "" {
			number = c.CollectorNumber
		}
		b.Queue(`INSERT INTO printings (id, card_id, language, print_run, collector_number, is_promo, position)
			SELECT `+pinnedID("printings", 9)+`, id, $4, $5, $6, $7, $8 FROM cards WHERE set_id = $1 AND collector_number = $2 AND name = $3
			ON CONFLICT (card_id, language, print_run) DO UPDATE SET collector_number = EXCLUDED.collector_number,
				is_promo = EXCLUDED.is_promo, position = EXCLUDED.position`,
			setID, c.CollectorNumber, c.Name, lang, p.PrintRun, number, p.IsPromo, pi, p.ID)
		rep.Printings++
		for vi, v := range p.Variants {
			b.Queue(`INSERT INTO variants (id, printing_id, card_id, finish, variant_label, print_rarity, image_url, image_is_fallback, position)
				SELECT `+pinnedID("variants", 11)+`, p.id, p.card_id, $6, $7, NULLIF($8, ''), NULLIF($9, ''), CASE WHEN $9 = '' THEN NULL ELSE false END, $10
				FROM printings p JOIN cards c ON c.id = p.card_id
				WHERE c.set_id = $1 AND c.collector_number = $2 AND c.name = $3 AND p.language = $4 AND p.print_run = $5
				ON CONFLICT (printing_id, finish, variant_label) DO UPDATE SET print_rarity = EXCLUDED.print_rarity,
					image_url = EXCLUDED.image_url, image_is_fallback = EXCLUDED.image_is_fallback, position = EXCLUDED.position`,
				setID, c.CollectorNumber, c.Name, lang, p.PrintRun, v.Finish, v.Label, v.PrintRarity, v.ImageURL, vi, v.ID)
			rep.Variants++
			for _, x := range v.XRefs {
				b.Queue(`INSERT INTO external_ids (source, external_id, card_id, variant_id)
					SELECT $6, $7, v.card_id, v.id FROM variants v JOIN printings p ON p.id = v.printing_id
					JOIN cards c ON c.id = p.card_id
					WHERE c.set_id = $1 AND c.collector_number = $2 AND c.name = $3 AND p.language = $4
					  AND p.print_run = $5 AND v.finish = $8 AND v.variant_label = $9
					ON CONFLICT (source, external_id, card_id) DO UPDATE SET variant_id = EXCLUDED.variant_id`,
					setID, c.CollectorNumber, c.Name, lang, p.PrintRun, x.Source, x.ID, v.Finish, v.Label)
			}
		}
	}
	for ii, im := range c.Images {
		b.Queue(`INSERT INTO images (card_id, url, source, width, height, format, path, position)
			SELECT id, $4, $5, NULLIF($6, 0), NULLIF($7, 0), $8, NULLIF($9, ''), $10 FROM cards
			WHERE set_id = $1 AND collector_number = $2 AND name = $3
			ON CONFLICT (card_id, url) DO UPDATE SET source = EXCLUDED.source, width = EXCLUDED.width,
				height = EXCLUDED.height, format = EXCLUDED.format, path = EXCLUDED.path, position = EXCLUDED.position`,
			setID, c.CollectorNumber, c.Name, im.URL, im.Source, im.Width, im.Height, im.Format, im.Path, ii)
		rep.Images++
	}
	if c.Stage != "" || c.EvolvesFrom != "" {
		b.Queue(`INSERT INTO card_evolution (card_id, stage, evolves_from)
			SELECT id, $4, $5 FROM cards WHERE set_id = $1 AND collector_number = $2 AND name = $3
			ON CONFLICT (card_id) DO UPDATE SET stage = EXCLUDED.stage, evolves_from = EXCLUDED.evolves_from`,
			setID, c.CollectorNumber, c.Name, c.Stage, c.EvolvesFrom)
	}
	for _, x := range c.XRefs {
		b.Queue(`INSERT INTO external_ids (source, external_id, card_id)
			SELECT $4, $5, id FROM cards WHERE set_id = $1 AND collector_number = $2 AND name = $3
			ON CONFLICT (source, external_id, card_id) DO NOTHING`,
			setID, c.CollectorNumber, c.Name, x.Source, x.ID)
	}
}

// pinnedID is the SQL for an id column: the bound parameter $n when non-zero
// (pinned ids of the demo catalogue), else the table's sequence.
func pinnedID(table string, n int) string {
	return fmt.Sprintf("COALESCE(NULLIF($%d::bigint, 0), nextval(pg_get_serial_sequence('%s', 'id')))", n, table)
}

// RefreshCounters recomputes the per-set, per-game and global counters that
// /api/v2/stats and the listings read. price_points is kept by ingest itself.
func (db *DB) RefreshCounters(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			UPDATE sets s SET card_count = coalesce(n.n, 0)
			FROM sets s2 LEFT JOIN (SELECT set_id, count(*) n FROM cards GROUP BY set_id) n ON n.set_id = s2.id
			WHERE s.id = s2.id AND s.card_count IS DISTINCT FROM coalesce(n.n, 0);
			UPDATE games g SET sets_count = x.sets, cards_count = x.cards
			FROM (SELECT g2.id, count(s.id) sets, coalesce(sum(s.card_count), 0) cards
			      FROM games g2 LEFT JOIN sets s ON s.game_id = g2.id GROUP BY g2.id) x
			WHERE g.id = x.id;
			UPDATE catalog_counters c SET value = x.v, updated_at = now() FROM (
				SELECT 'games' k, (SELECT count(*) FROM games WHERE active) v
				UNION ALL SELECT 'sets', (SELECT count(*) FROM sets)
				UNION ALL SELECT 'cards', (SELECT count(*) FROM cards)
				UNION ALL SELECT 'variants', (SELECT count(*) FROM variants)
				UNION ALL SELECT 'images', (SELECT count(*) FROM images)) x
			WHERE c.name = x.k;
			SELECT setval(pg_get_serial_sequence(t, 'id'), greatest(m, 1))
			FROM (SELECT 'sets' t, (SELECT max(id) FROM sets) m UNION ALL SELECT 'cards', (SELECT max(id) FROM cards)
			      UNION ALL SELECT 'printings', (SELECT max(id) FROM printings)
			      UNION ALL SELECT 'variants', (SELECT max(id) FROM variants)) s
			WHERE m > (SELECT coalesce(last_value, 0) FROM pg_sequences WHERE sequencename = t || '_id_seq' AND schemaname = current_schema())`)
		return err
	})
	return wrap("refresh counters", err, "")
}

// queueLegalities replaces the card's format legalities when the source
// states them (MTGJSON); a card without any keeps what it has.
func queueLegalities(b *pgx.Batch, setID int64, c catalog.ImportCard) {
	if len(c.Legalities) == 0 {
		return
	}
	formats := make([]string, 0, len(c.Legalities))
	status := make([]string, 0, len(c.Legalities))
	for f, st := range c.Legalities {
		formats, status = append(formats, f), append(status, st)
	}
	b.Queue(`WITH c AS (`+cardKey+`), gone AS (DELETE FROM card_legalities WHERE card_id = (SELECT id FROM c))
		INSERT INTO card_legalities (card_id, format, status)
		SELECT (SELECT id FROM c), f, st FROM unnest($4::text[], $5::text[]) AS x(f, st)
		ON CONFLICT (card_id, format) DO UPDATE SET status = EXCLUDED.status`,
		setID, c.CollectorNumber, c.Name, formats, status)
}
