package catalog

import (
	"context"
	"time"
)

// Game is one trading-card game with its pre-aggregated counters.
// Cards and Sets are nil while the per-game counter has not been aggregated.
type Game struct {
	ID     int64  `json:"-"`
	Slug   string `json:"slug"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
	Cards  *int64 `json:"cards"`
	Sets   *int64 `json:"sets"`
}

// GameRef is the short form of a game embedded in other responses.
type GameRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Set is an expansion of one game. IDs are global across games.
type Set struct {
	ID          int64   `json:"id"`
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Series      *string `json:"series"`
	ReleaseDate *string `json:"release_date"` // YYYY-MM-DD
	TotalCards  *int    `json:"total_cards"`
	CardCount   int64   `json:"card_count"`
	IsPromo     bool    `json:"is_promo"`
	Language    string  `json:"language"`
}

// SetRef is the short form of a set embedded in a card.
type SetRef struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// CardSummary is a card row in set listings and resolver results.
type CardSummary struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	CollectorNumber string  `json:"collector_number"`
	Rarity          *string `json:"rarity"`
	CardType        *string `json:"card_type"`
	SetID           int64   `json:"set_id"`
	ThumbnailURL    *string `json:"thumbnail_url"`
}

// CrossRefs are the card's identifiers at upstream sources; nil where unmatched.
type CrossRefs struct {
	CardmarketProductID *int64  `json:"cardmarket_product_id"`
	TCGplayerProductID  *int64  `json:"tcgplayer_product_id"`
	PricechartingID     *int64  `json:"pricecharting_id"`
	MTGJSONUUID         *string `json:"mtgjson_uuid"`
	ScryfallID          *string `json:"scryfall_id"`
	YGOProDeckID        *int64  `json:"ygoprodeck_id"`
}

// Image is one locally served card image.
type Image struct {
	URL           string `json:"url"`
	Source        string `json:"source"`
	Width         *int   `json:"width"`
	Height        *int   `json:"height"`
	Format        string `json:"format"`
	IsPlaceholder bool   `json:"is_placeholder"`
}

// CardDetail is the flagship v2 card with printings, variants and prices.
type CardDetail struct {
	ID              int64      `json:"id"`
	Name            string     `json:"name"`
	CollectorNumber string     `json:"collector_number"`
	Rarity          *string    `json:"rarity"`
	CardType        *string    `json:"card_type"`
	Game            GameRef    `json:"game"`
	Set             SetRef     `json:"set"`
	CrossRefs       CrossRefs  `json:"cross_refs"`
	Images          []Image    `json:"images"`
	Printings       []Printing `json:"printings"`
}

// Printing is one language / print-run of a card.
type Printing struct {
	ID              int64     `json:"id"`
	Language        string    `json:"language"`
	PrintRun        string    `json:"print_run"`
	CollectorNumber string    `json:"collector_number"`
	IsPromo         bool      `json:"is_promo"`
	Variants        []Variant `json:"variants"`
}

// Variant is one finish / edition of a printing, with its headline prices.
type Variant struct {
	ID              int64       `json:"id"`
	Finish          string      `json:"finish"`
	VariantLabel    string      `json:"variant_label"`
	PrintRarity     *string     `json:"print_rarity"`
	IsEx            *bool       `json:"is_ex"`
	IsV             *bool       `json:"is_v"`
	ImageURL        *string     `json:"image_url"`
	ImageIsFallback *bool       `json:"image_is_fallback"`
	Prices          PriceBlocks `json:"prices"`
}

// PriceBlocks splits a variant's latest prices by region. Arrays are never nil.
type PriceBlocks struct {
	EU     []Price       `json:"eu"`
	US     []Price       `json:"us"`
	Graded []GradedPrice `json:"graded"`
}

// Price is the latest raw price of one (source, price_type) series.
type Price struct {
	Source    string  `json:"source"`
	PriceType string  `json:"price_type"`
	Currency  string  `json:"currency"`
	Amount    float64 `json:"amount"`
	AsOf      string  `json:"as_of"`
}

// GradedPrice is the latest price of one (source, grading_company, grade) series.
type GradedPrice struct {
	Source         string  `json:"source"`
	GradingCompany string  `json:"grading_company"`
	Grade          string  `json:"grade"`
	Currency       string  `json:"currency"`
	Amount         float64 `json:"amount"`
	AsOf           string  `json:"as_of"`
}

// HistoryPoint is one day of one series in /cards/{id}/history.
type HistoryPoint struct {
	Date      string  `json:"date"`
	Amount    float64 `json:"amount"`
	Source    string  `json:"source"`
	PriceType string  `json:"price_type"`
}

// Stats are the pre-aggregated counters of the normalised store.
type Stats struct {
	Cards       int64     `json:"cards"`
	PricePoints int64     `json:"price_points"`
	Sets        int64     `json:"sets"`
	Games       int64     `json:"games"`
	Variants    int64     `json:"variants"`
	Images      int64     `json:"images"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Regions of price series.
const (
	RegionEU     = "eu"
	RegionUS     = "us"
	RegionGraded = "graded"
	RegionJP     = "jp"
	RegionGlobal = "global"
)

// Page asks for one 1-based page of a listing.
type Page struct {
	Page int
	Size int
}

// Offset returns the row offset of the page.
func (p Page) Offset() int { return (p.Page - 1) * p.Size }

// CardFilter narrows the card resolver. At least one field must be set.
type CardFilter struct {
	Game   string
	Name   string
	Number string
	Limit  int
}

// HistoryQuery selects one variant's series of one region over a window.
type HistoryQuery struct {
	CardID    int64
	VariantID int64 // 0: the card's first variant
	Region    string
	Days      int
	Today     time.Time
}

// Reader is the read side of the catalogue that the Data API v2 serves.
type Reader interface {
	Stats(ctx context.Context) (Stats, error)
	Games(ctx context.Context) ([]Game, error)
	// Game returns the game with one page of its sets and the total set count.
	Game(ctx context.Context, slug string, p Page) (Game, []Set, int64, error)
	// Set returns the set, its game, one page of its cards and the total card count.
	Set(ctx context.Context, id int64, p Page) (Set, GameRef, []CardSummary, int64, error)
	FindCards(ctx context.Context, f CardFilter) ([]CardSummary, error)
	Card(ctx context.Context, id int64) (CardDetail, error)
	// CardDocument returns Card's answer as the route's JSON body, byte for
	// byte what encoding/json makes of the CardDetail.
	CardDocument(ctx context.Context, id int64) ([]byte, error)
	History(ctx context.Context, q HistoryQuery) ([]HistoryPoint, error)
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
}
