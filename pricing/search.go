package pricing

import (
	"context"
	"strings"

	"github.com/collectorstash/csm/catalog"
)

// Search limits.
const (
	SearchMaxLimit = 200
	SearchMaxQuery = 200
)

// SearchQuery is a free-text search with typed filters, all ANDed.
type SearchQuery struct {
	Q        string
	TCG      string // legacy or v2 slug
	SetID    int64
	Rarity   string
	MinPrice *float64 // USD headline price
	MaxPrice *float64
	Language string // a printing in this language
	Finish   string // a variant with this finish
	Limit    int
	Offset   int
}

// SearchHit is one search result row.
type SearchHit struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	Number          string   `json:"number"`
	Rarity          *string  `json:"rarity"`
	CardType        *string  `json:"card_type"`
	DisplayImageURL *string  `json:"display_image_url"`
	SetID           int64    `json:"set_id"`
	SetName         string   `json:"set_name"`
	SetCode         string   `json:"set_code"`
	TCGSlug         string   `json:"tcg_slug"`
	BestPrice       *float64 `json:"best_price"`
	PriceChange7d   *float64 `json:"price_change_7d"`
	// Match is how the name matched: exact, prefix, contains, fuzzy, number or set.
	Match string  `json:"match"`
	Score float64 `json:"score"`
}

// SearchResult is one page of hits and the total match count.
type SearchResult struct {
	Items  []SearchHit `json:"items"`
	Total  int64       `json:"total"`
	Limit  int         `json:"limit"`
	Offset int         `json:"offset"`
}

// SearchStore runs the ranked, typo-tolerant search.
type SearchStore interface {
	Search(ctx context.Context, q SearchQuery) (SearchResult, error)
}

// Search runs q: exact name first, then prefix, substring, then fuzzy
// (pg_trgm similarity), ties by similarity then name.
func (s *Service) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	q.Q = strings.Join(strings.Fields(q.Q), " ")
	if q.Q == "" {
		return SearchResult{}, &catalog.Error{Code: catalog.EVALIDATION, Message: "field required",
			Fields: []catalog.FieldError{{Loc: []string{"query", "q"}, Msg: "field required", Type: "value_error.missing"}}}
	}
	if q.MinPrice != nil && q.MaxPrice != nil && *q.MinPrice > *q.MaxPrice {
		return SearchResult{}, &catalog.Error{Code: catalog.EVALIDATION, Message: "min_price must not exceed max_price",
			Fields: []catalog.FieldError{{Loc: []string{"query", "min_price"}, Msg: "min_price must not exceed max_price", Type: "value_error"}}}
	}
	if q.TCG != "" {
		q.TCG = GameSlug(q.TCG)
	}
	return s.store.Search(ctx, q)
}

// GameSlug maps a legacy TCG slug to the v2 game slug holding its data;
// other slugs are returned as they are.
func GameSlug(slug string) string {
	switch slug {
	case "mtg", "magic":
		return catalog.GameMTG
	case "fab":
		return catalog.GameFAB
	case "onepiece", "one_piece":
		return catalog.GameOnePiece
	}
	return slug
}
