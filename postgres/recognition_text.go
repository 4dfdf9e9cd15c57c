package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
)

// The recogniser's text lookups: candidates for a card found by what OCR
// read on it (name, set code, collector number) rather than by its image.

// nameThreshold is the trigram similarity from which a catalogue name is a
// text candidate: lower than pg_trgm's default 0.3, since OCR of a phone
// photo misreads letters ("Aacthir Clidar" for Aesthir Glider is 0.25); the
// recogniser's own name similarity then decides whether the name supports
// the candidate.
const nameThreshold = 0.2

// CardsLikeName returns every printing of the limit distinct names most
// similar to text, by pg_trgm over the cards_name_trgm GIN index
// (migrations/00001): a name matches when its trigram similarity to text
// reaches nameThreshold or text's word similarity to it reaches
// pg_trgm.word_similarity_threshold (0.6, for a name read truncated).
// Names are ranked by the larger of the two.
func (db *DB) CardsLikeName(ctx context.Context, game, text string, limit int) ([]catalog.CardInfo, error) {
	text = strings.TrimSpace(toLower(text))
	if len([]rune(text)) < 3 || limit <= 0 {
		return nil, nil
	}
	var out []catalog.CardInfo
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, fmt.Sprint(nameThreshold)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `WITH hit AS (
			SELECT lower(c.name) AS lname, max(greatest(similarity(lower(c.name), $2), word_similarity($2, lower(c.name)))) AS sim
			FROM cards c JOIN games g ON g.id = c.game_id
			WHERE (lower(c.name) % $2 OR $2 <% lower(c.name))
			AND ($1 = '' OR g.slug = $1 OR $1 = ANY(g.aliases))
			GROUP BY lower(c.name) ORDER BY sim DESC, lname LIMIT $3)
			`+cardInfoSQL+`JOIN hit ON hit.lname = lower(c.name)
			WHERE ($1 = '' OR g.slug = $1 OR $1 = ANY(g.aliases))
			ORDER BY hit.sim DESC, c.id LIMIT 200`, game, text, limit)
		if err != nil {
			return err
		}
		out, err = collectInfos(rows)
		return err
	})
	return out, wrap("cards like name", err, "")
}

// CardsBySetNumber returns the cards of set code setCode (case ignored)
// whose collector number is number, leading zeros ignored.
func (db *DB) CardsBySetNumber(ctx context.Context, game, setCode, number string) ([]catalog.CardInfo, error) {
	setCode, number = strings.TrimSpace(setCode), strings.TrimSpace(number)
	if setCode == "" || number == "" {
		return nil, nil
	}
	rows, err := db.Pool.Query(ctx, cardInfoSQL+`WHERE lower(s.code) = lower($2)
		AND (c.collector_number = $3 OR ltrim(c.collector_number, '0') = ltrim($3, '0'))
		AND ($1 = '' OR g.slug = $1 OR $1 = ANY(g.aliases)) ORDER BY c.id LIMIT 50`, game, setCode, number)
	if err != nil {
		return nil, wrap("cards by set number", err, "")
	}
	out, err := collectInfos(rows)
	return out, wrap("cards by set number", err, "")
}
