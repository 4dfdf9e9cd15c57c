package pricing

import (
	"context"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// TCGSlugs are the seed's 15 legacy TCG slugs, in the directory's order.
// Each has routes of its own (/pokemon/sets, …); the v2 game that holds a
// slug's data is tcg_directory.game_slug.
var TCGSlugs = []string{"pokemon", "mtg", "yugioh", "fab", "onepiece", "dragonball", "lorcana",
	"starwars", "digimon", "keyforge", "grandarc", "sorcery", "unionarena", "gundam", "riftbound"}

// TCG is one legacy TCG with its counts (zero while no data is imported).
type TCG struct {
	ID          int       `json:"id"`
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Publisher   *string   `json:"publisher"`
	LogoURL     *string   `json:"logo_url"`
	WebsiteURL  *string   `json:"website_url"`
	Description *string   `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	CardCount   int64     `json:"card_count"`
	SetCount    int64     `json:"set_count"`
}

// LegacySet is a set in the legacy shape.
type LegacySet struct {
	ID          int64   `json:"id"`
	TCGID       int     `json:"tcg_id"`
	Name        string  `json:"name"`
	Code        string  `json:"code"`
	ReleaseDate *string `json:"release_date"`
	TotalCards  *int    `json:"total_cards"`
	CardCount   int64   `json:"card_count"`
	LogoURL     *string `json:"logo_url"`
}

// SetStats are the price figures of one set over its cards' headline prices.
type SetStats struct {
	SetID      int64    `json:"set_id"`
	CardCount  int64    `json:"card_count"`
	PricedCard int64    `json:"priced_cards"`
	MinPrice   *float64 `json:"min_price"`
	MaxPrice   *float64 `json:"max_price"`
	AvgPrice   *float64 `json:"avg_price"`
	TotalValue *float64 `json:"total_value"`
	Currency   string   `json:"currency"`
}

// TopCard is a row of a set's most valuable cards.
type TopCard struct {
	CardID    int64    `json:"card_id"`
	Name      string   `json:"name"`
	Number    string   `json:"number"`
	Rarity    *string  `json:"rarity"`
	ImageURL  *string  `json:"image_url"`
	BestPrice *float64 `json:"best_price"`
	TCGSlug   string   `json:"tcg_slug"`
}

// LegacyCard is a card in the legacy shape.
type LegacyCard struct {
	ID            int64             `json:"id"`
	CardSetID     int64             `json:"card_set_id"`
	Name          string            `json:"name"`
	Number        string            `json:"number"`
	Rarity        *string           `json:"rarity"`
	CardType      *string           `json:"card_type"`
	ImageURL      *string           `json:"image_url"`
	LocalImageURL *string           `json:"local_image_url"`
	Attributes    map[string]string `json:"attributes"`
	TCGSlug       string            `json:"tcg_slug"`
	CreatedAt     *time.Time        `json:"created_at,omitempty"`
}

// CardPrice is one headline price of a card detail's prices[].
type CardPrice struct {
	Source      string  `json:"source"`
	MarketPrice float64 `json:"market_price"`
	Currency    string  `json:"currency"`
	Variant     string  `json:"variant"`
	PriceType   string  `json:"price_type"`
	AsOf        string  `json:"as_of"`
}

// LegacyCardDetail is a card with its prices[].
type LegacyCardDetail struct {
	LegacyCard
	BestPrice *float64    `json:"best_price"`
	Prices    []CardPrice `json:"prices"`
}

// CardFilter narrows /{tcg}/cards.
type CardFilter struct {
	TCG    string
	SetID  int64
	Rarity string
	Name   string
	Limit  int
	Offset int
}

// Page is a limit/offset page with its total.
type Page[T any] struct {
	Items  []T   `json:"items"`
	Total  int64 `json:"total"`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
}

// BuyLinks are the outbound marketplace links of one card variant.
type BuyLinks struct {
	CardID        int64   `json:"card_id"`
	Variant       string  `json:"variant"`
	CardmarketURL *string `json:"cardmarket_url"`
	TCGplayerURL  *string `json:"tcgplayer_url"`
	EbayURL       string  `json:"ebay_url"`
}

// BuyRefs are what the links are built from.
type BuyRefs struct {
	CardID     int64
	Name       string
	SetName    string
	Game       string
	Variants   []string          // finishes of the card's variants
	Cardmarket map[string]string // finish ("" = card level) → product id
	TCGplayer  map[string]string
}

// EvolutionStage is one step of a Pokémon evolution chain.
type EvolutionStage struct {
	Stage  string `json:"stage"`
	Name   string `json:"name"`
	CardID *int64 `json:"card_id"`
}

// Evolution is the chain a card belongs to, from its basic form up.
type Evolution struct {
	CardID int64            `json:"card_id"`
	Chain  []EvolutionStage `json:"chain"`
}

// Sealed is a sealed product with its latest prices.
type Sealed struct {
	ID          int64       `json:"id"`
	TCGSlug     string      `json:"tcg_slug"`
	SetID       int64       `json:"set_id"`
	SetName     string      `json:"set_name"`
	Name        string      `json:"name"`
	ProductType string      `json:"product_type"`
	Prices      []CardPrice `json:"prices"`
}

// SealedDetail is a sealed product with its own price history.
type SealedDetail struct {
	Sealed
	History []SeriesPoint `json:"history"`
}

// SeriesPoint is one day of one series.
type SeriesPoint struct {
	Date      string  `json:"date"`
	Source    string  `json:"source"`
	PriceType string  `json:"price_type"`
	Currency  string  `json:"currency"`
	Price     float64 `json:"price"`
}

// LegacyStore is the read side the legacy catalogue needs.
type LegacyStore interface {
	TCGs(ctx context.Context) ([]TCG, error)
	TCG(ctx context.Context, slug string) (TCG, error)
	LegacySets(ctx context.Context, tcg string, limit, offset int) (Page[LegacySet], error)
	LegacySet(ctx context.Context, tcg string, id int64) (LegacySet, error)
	SetStats(ctx context.Context, id int64) (SetStats, error)
	TopCards(ctx context.Context, setID int64, limit int) ([]TopCard, error)
	LegacyCards(ctx context.Context, f CardFilter) (Page[LegacyCard], error)
	LegacyCard(ctx context.Context, tcg string, id int64) (LegacyCardDetail, error)
	RecentCards(ctx context.Context, tcg string, since time.Time, limit int) ([]LegacyCard, error)
	BuyRefs(ctx context.Context, cardID int64) (BuyRefs, error)
	// EvolutionFacts returns the card's game, name and, walking evolves_from
	// by name within the game, the known stages.
	EvolutionFacts(ctx context.Context, cardID int64) (Evolution, error)
	SealedList(ctx context.Context, tcg string, setID int64, limit, offset int) (Page[Sealed], error)
	SealedDetail(ctx context.Context, tcg string, id int64, days int, today time.Time) (SealedDetail, error)
}

// MaxCompare is how many cards /api/compare takes.
const MaxCompare = 20

// Compare returns the detail of each card of ids, in the order asked.
func (s *Service) Compare(ctx context.Context, ids []int64) ([]LegacyCardDetail, error) {
	if len(ids) == 0 {
		return nil, catalog.Errorf(catalog.EINVALID, "ids required")
	}
	if len(ids) > MaxCompare {
		return nil, catalog.Errorf(catalog.EINVALID, "at most 20 ids")
	}
	out := make([]LegacyCardDetail, 0, len(ids))
	for _, id := range ids {
		c, err := s.store.LegacyCard(ctx, "", id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// BuyLinks builds the outbound links of one variant of a card ("normal" by
// default): Cardmarket and TCGplayer product pages from the stored ids
// (null when the card has none), an eBay search for name + set always.
func (s *Service) BuyLinks(ctx context.Context, cardID int64, variant string) (BuyLinks, error) {
	refs, err := s.store.BuyRefs(ctx, cardID)
	if err != nil {
		return BuyLinks{}, err
	}
	if variant == "" {
		variant = "normal"
	}
	return buildBuyLinks(refs, variant), nil
}

func buildBuyLinks(r BuyRefs, variant string) BuyLinks {
	out := BuyLinks{CardID: r.CardID, Variant: variant}
	finish := variantFinish(variant)
	pick := func(m map[string]string) string {
		if id, ok := m[finish]; ok {
			return id
		}
		return m[""]
	}
	if id := pick(r.Cardmarket); id != "" {
		u := "https://www.cardmarket.com/en/" + cardmarketGame(r.Game) + "/Products?idProduct=" + id
		out.CardmarketURL = &u
	}
	if id := pick(r.TCGplayer); id != "" {
		u := "https://www.tcgplayer.com/product/" + id
		out.TCGplayerURL = &u
	}
	q := strings.Join(strings.Fields(r.Name+" "+r.SetName), "+")
	if variant != "normal" {
		q += "+" + strings.ReplaceAll(variant, "_", "+")
	}
	out.EbayURL = "https://www.ebay.com/sch/i.html?_nkw=" + urlQueryEscape(q)
	return out
}

// variantFinish maps the legacy variant names to stored finishes.
func variantFinish(v string) string {
	switch v {
	case "normal", "nonfoil":
		return "normal"
	case "holo", "holofoil", "1st_edition_holo":
		return "holofoil"
	case "reverse_holo", "reverse_holofoil":
		return "reverse_holofoil"
	}
	return v
}

func cardmarketGame(slug string) string {
	switch slug {
	case catalog.GamePokemon:
		return "Pokemon"
	case catalog.GameMTG:
		return "Magic"
	case catalog.GameYugioh:
		return "YuGiOh"
	case catalog.GameFAB:
		return "FleshAndBlood"
	case catalog.GameLorcana:
		return "Lorcana"
	case catalog.GameOnePiece:
		return "OnePiece"
	}
	return "Products"
}

func urlQueryEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '+' || r == '-' || r == '.' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		default:
			for _, c := range []byte(string(r)) {
				b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
			}
		}
	}
	return b.String()
}

// Evolution returns the evolution chain the card belongs to; a card without
// evolution data is its own one-stage chain.
func (s *Service) Evolution(ctx context.Context, cardID int64) (Evolution, error) {
	return s.store.EvolutionFacts(ctx, cardID)
}

// StageBefore is the Pokémon stage a card of stage evolves from.
func StageBefore(stage string) string {
	switch stage {
	case "Stage 2":
		return "Stage 1"
	case "Stage 1":
		return "Basic"
	}
	return ""
}
