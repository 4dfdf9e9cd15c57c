package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/pricing"
)

// finishesOf maps a foil_status filter to stored finishes.
func finishesOf(foil string) []string {
	switch foil {
	case "nonfoil":
		return []string{"normal"}
	case "foil":
		return []string{"holofoil", "reverse_holofoil", "foil"}
	case "etched":
		return []string{"etched"}
	}
	return nil
}

// searchFilters are the typed filters, ANDed, over $3…$9. The trigram GIN
// index on lower(name) serves the fuzzy stage's LIKE, %, <% and =
// conditions as one bitmap OR.
const searchFilters = `($3 = '' OR g.slug = $3 OR $3 = ANY(g.aliases))
	AND ($4 = 0 OR c.set_id = $4)
	AND ($5 = '' OR lower(c.rarity) = lower($5))
	AND ($6::bigint IS NULL OR ps.usd_minor >= $6)
	AND ($7::bigint IS NULL OR ps.usd_minor <= $7)
	AND ($8 = '' OR EXISTS (SELECT 1 FROM printings p WHERE p.card_id = c.id AND p.language = $8))
	AND ($9::text[] IS NULL OR EXISTS (SELECT 1 FROM variants v WHERE v.card_id = c.id AND v.finish = ANY($9)))`

// shift renumbers the $3…$9 placeholders of sql by k, highest first.
func shift(sql string, k int) string {
	for n := 9; n >= 3; n-- {
		sql = strings.ReplaceAll(sql, "$"+strconv.Itoa(n), "$"+strconv.Itoa(n+k))
	}
	return sql
}

// searchSettings sets, for the current transaction only, the pg_trgm word
// similarity threshold of the fuzzy stage from the query's own trigram
// count n: a one-letter typo (substitution, the worst case) changes at most
// three of a word's trigrams, so a name one edit away has similarity, and
// word similarity (never lower), ≥ (n-3)/(n+3). The threshold sits just
// under that bound, between the extension's default 0.3 (short queries)
// and 0.6: long queries no longer pull in thousands of names sharing a few
// trigrams, and a one-letter typo is still found. It also forces custom
// plans (the arms of the search depend on the values) and returns n, the
// threshold and the ids of sets whose code or name is q.
const searchSettings = `SELECT n, t, set_config('pg_trgm.word_similarity_threshold', t::text, true),
		set_config('plan_cache_mode', 'force_custom_plan', true),
		ARRAY(SELECT id FROM sets WHERE lower(code) = $1 OR lower(name) = $1 ORDER BY id LIMIT 50)
	FROM (SELECT n, round(greatest(0.3, least(0.6, (n - 3.0) / (n + 3) - 0.02)), 2)::float8 AS t
	      FROM (SELECT cardinality(show_trgm($1)) AS n) a) b`

// Search ranks cards by how their name matches q: exact, prefix,
// substring, collector number, set code/name, then fuzzy (pg_trgm
// similarity / word similarity with a per-query threshold, see
// searchSettings), typed filters ANDed. It runs in one read-only
// transaction so the thresholds apply to its statements only.
func (db *DB) Search(ctx context.Context, q pricing.SearchQuery) (pricing.SearchResult, error) {
	var res pricing.SearchResult
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		res, err = search(ctx, tx, q)
		return err
	})
	return res, wrap("search", err, "")
}

// search runs the two stages of Search on tx.
func search(ctx context.Context, tx pgx.Tx, q pricing.SearchQuery) (pricing.SearchResult, error) {
	res := pricing.SearchResult{Items: []pricing.SearchHit{}, Limit: q.Limit, Offset: q.Offset}
	lq := strings.ToLower(q.Q)
	var minP, maxP *int64
	if q.MinPrice != nil {
		m := int64(*q.MinPrice*100 + 0.5)
		minP = &m
	}
	if q.MaxPrice != nil {
		m := int64(*q.MaxPrice*100 + 0.5)
		maxP = &m
	}
	finishes := finishesOf(q.Finish)
	esc := likeEscape(lq)
	// Stage 1: exact and prefix matches through the btree on lower(name)
	// (text_pattern_ops range, so the planner cannot pick the trigram
	// index), counted in the same statement as the settings. When they
	// fill the page, the fuzzy stage is skipped: on a large catalogue a
	// trigram scan costs far more.
	upper := lq + string(rune(0x10FFFF))
	// no filter: an index-only count on the btree, no join
	count := `SELECT count(*) FROM cards c WHERE lower(c.name) ~>=~ $1 AND lower(c.name) ~<~ $2`
	args := []any{lq, upper}
	if q.TCG != "" || q.SetID != 0 || q.Rarity != "" || minP != nil || maxP != nil || q.Language != "" || finishes != nil {
		count = `SELECT count(*) FROM cards c JOIN games g ON g.id = c.game_id
		LEFT JOIN card_price_summary ps ON ps.card_id = c.id
		WHERE lower(c.name) ~>=~ $1 AND lower(c.name) ~<~ $2 AND ` + searchFilters
		args = append(args, q.TCG, q.SetID, q.Rarity, minP, maxP, q.Language, finishes)
	}
	var setIDs []int64
	var n int
	var threshold float64
	var prefixTotal int64
	err := tx.QueryRow(ctx, `SELECT a.*, (`+count+`) FROM (`+searchSettings+`) a`, args...).
		Scan(&n, &threshold, nil, nil, &setIDs, &prefixTotal)
	if err != nil {
		return res, err
	}
	if setIDs == nil {
		setIDs = []int64{}
	}
	// Fuzzy: word similarity ≥ the threshold (it is never below similarity,
	// so every name similar as a whole is in, and so is a name holding a
	// word one typo away). A substring of a name misses at most three of
	// q's trigrams (the partial first and last words), so when
	// (n-3)/n ≥ threshold the word-similarity arm already finds every
	// substring match and the LIKE arm, a second pass over the same
	// trigram posting lists, is left out.
	contains := `lower(c.name) LIKE $3 OR `
	if n > 0 && float64(n-3)/float64(n) >= threshold+0.01 {
		contains = ``
	}
	where := `(` + contains + `$1 <% lower(c.name) OR c.collector_number = $4 OR c.set_id = ANY($5))`
	order := `rank, score DESC, c.name, c.id`
	score := `greatest(similarity(lower(c.name), $1), word_similarity($1, lower(c.name)))::float8`
	args = []any{lq, esc + "%", "%" + esc + "%", q.Q, setIDs, q.TCG, q.SetID, q.Rarity, minP, maxP, q.Language, finishes, q.Limit, q.Offset}
	prefixOnly := prefixTotal >= int64(q.Offset+q.Limit) && len(setIDs) == 0
	if prefixOnly {
		// exact first, then the btree's own order: no per-row similarity
		// q itself is the least string of the range, so the btree's own
		// order puts the exact match first and the scan stops at the page
		where, args[2] = `lower(c.name) ~>=~ $1 AND lower(c.name) ~<~ $3`, upper
		order, score = `lower(c.name) USING ~<~, c.id`, `1::float8`
	}
	// the page is chosen on cards alone; images, sets and prices are read
	// for its rows only
	rows, err := tx.Query(ctx, `
		WITH hits AS (
			SELECT c.id, c.name, c.collector_number, c.rarity, c.card_type, c.set_id, g.slug, ps.usd_minor, ps.price_minor, ps.p7_minor,
				CASE WHEN lower(c.name) = $1 THEN 0 WHEN lower(c.name) LIKE $2 THEN 1 WHEN lower(c.name) LIKE $3 THEN 2
				     WHEN c.collector_number = $4 THEN 3 WHEN c.set_id = ANY($5) THEN 4 ELSE 5 END AS rank,
				`+score+` AS score, `+map[bool]string{true: "0::bigint", false: "count(*) OVER ()"}[prefixOnly]+` AS total
			FROM cards c JOIN games g ON g.id = c.game_id
			LEFT JOIN card_price_summary ps ON ps.card_id = c.id
			WHERE `+where+` AND `+shift(searchFilters, 3)+`
			ORDER BY `+order+`
			LIMIT $13 OFFSET $14)
		SELECT h.id, h.name, h.collector_number, h.rarity, h.card_type,
			(SELECT url FROM images i WHERE i.card_id = h.id ORDER BY position, id LIMIT 1),
			s.id, s.name, s.code, h.slug, h.usd_minor, h.price_minor, h.p7_minor, h.rank,
			CASE WHEN h.score = 1 THEN greatest(similarity(lower(h.name), $1), word_similarity($1, lower(h.name)))::float8 ELSE h.score END,
			h.total
		FROM hits h JOIN sets s ON s.id = h.set_id
		ORDER BY h.rank, h.score DESC, h.name, h.id`, args...)
	if err != nil {
		return res, err
	}
	var total int64
	res.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (pricing.SearchHit, error) {
		var h pricing.SearchHit
		var usd, price, p7 *int64
		var rank int
		err := r.Scan(&h.ID, &h.Name, &h.Number, &h.Rarity, &h.CardType, &h.DisplayImageURL, &h.SetID, &h.SetName, &h.SetCode,
			&h.TCGSlug, &usd, &price, &p7, &rank, &h.Score, &total)
		h.TCGSlug = legacySlug(h.TCGSlug)
		h.Match = []string{"exact", "prefix", "contains", "number", "set", "fuzzy"}[rank]
		h.Score = float64(int(h.Score*1000+0.5)) / 1000
		if usd != nil {
			h.BestPrice = fptr(*usd)
		}
		if price != nil && p7 != nil && *p7 > 0 {
			pct := float64(int64(float64(*price-*p7)/float64(*p7)*10000)) / 100
			h.PriceChange7d = &pct
		}
		return h, err
	})
	if err != nil {
		return res, err
	}
	if res.Items == nil {
		res.Items = []pricing.SearchHit{}
	}
	res.Total = total
	if prefixOnly {
		res.Total = prefixTotal
	}
	if len(res.Items) == 0 && q.Offset > 0 {
		// past the end: the total still answers
		err = tx.QueryRow(ctx, `SELECT count(*) FROM cards c WHERE lower(c.name) LIKE $1 OR $2 <% lower(c.name)`,
			"%"+esc+"%", lq).Scan(&res.Total)
	}
	return res, err
}
