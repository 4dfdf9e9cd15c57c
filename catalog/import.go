package catalog

import (
	"context"
	"time"
)

// GameInfo names a game for import. Slug is the canonical v2 slug.
type GameInfo struct {
	Slug string
	Name string
}

// Canonical v2 game slugs of the games with importers.
const (
	GamePokemon  = "pokemon"
	GameMTG      = "magic-the-gathering"
	GameYugioh   = "yugioh"
	GameFAB      = "flesh-and-blood"
	GameLorcana  = "lorcana"
	GameOnePiece = "one-piece"
)

// Cross-reference sources.
const (
	XRefCardmarket    = "cardmarket"
	XRefTCGplayer     = "tcgplayer"
	XRefPricecharting = "pricecharting"
	XRefMTGJSON       = "mtgjson"
	XRefScryfall      = "scryfall"
	XRefYGOProDeck    = "ygoprodeck"
)

// XRef is an identifier of a card or variant at an upstream source.
type XRef struct {
	Source string
	ID     string
}

// ImportSet is one set with all of its cards, as parsed from an upstream file.
// Natural keys make re-imports update rather than duplicate: a set is keyed by
// (game, code), a card by (set, collector number, name), a printing by
// (card, language, print run) and a variant by (printing, finish, label).
type ImportSet struct {
	// ID pins the row id (the demo catalogue does, so documented examples
	// resolve); 0 lets the store assign one.
	ID          int64
	Code        string
	Name        string
	Series      string // "" = none
	ReleaseDate string // YYYY-MM-DD or ""
	TotalCards  int    // 0 = unknown
	IsPromo     bool
	Language    string // "en" by default
	Cards       []ImportCard
	Sealed      []ImportSealed
}

// ImportCard is a canonical card of a set.
type ImportCard struct {
	// ID pins the row id (the demo catalogue does, so documented examples
	// resolve); 0 lets the store assign one.
	ID              int64
	Name            string
	CollectorNumber string
	Rarity          string
	CardType        string
	// Stage and EvolvesFrom are the Pokémon evolution facts ("Stage 2",
	// "Charmeleon"); empty for other games.
	Stage       string
	EvolvesFrom string
	XRefs       []XRef
	Images      []ImportImage
	Printings   []ImportPrinting
	// Legalities is the card's status per format as the source states it
	// (MTGJSON: "commander" → "Legal" | "Banned" | "Restricted" | "Not
	// Legal"); nil when the source has none.
	Legalities map[string]string
}

// ImportImage is a card image known to the catalogue. Path is a local file
// (for the recogniser) or ""; URL is where the API serves it.
type ImportImage struct {
	URL    string
	Source string
	Width  int
	Height int
	Format string
	Path   string
}

// ImportPrinting is one language / print-run of a card.
type ImportPrinting struct {
	// ID pins the row id (the demo catalogue does, so documented examples
	// resolve); 0 lets the store assign one.
	ID              int64
	Language        string
	PrintRun        string
	CollectorNumber string
	IsPromo         bool
	Variants        []ImportVariant
}

// ImportVariant is one finish / edition of a printing.
type ImportVariant struct {
	// ID pins the row id (the demo catalogue does, so documented examples
	// resolve); 0 lets the store assign one.
	ID          int64
	Finish      string
	Label       string
	PrintRarity string
	ImageURL    string
	XRefs       []XRef
}

// ImportSealed is a sealed product (booster box, ETB, bundle) of a set.
type ImportSealed struct {
	Name        string
	ProductType string
	XRefs       []XRef
}

// PriceRef says which variant or sealed product a price belongs to. Exactly
// one way of resolving is used, in this order: VariantID, XRef, Card,
// Sealed.
type PriceRef struct {
	// VariantID names the variant directly (demo data, re-imports of our own
	// exports); 0 = resolve by one of the keys below.
	VariantID int64
	// XRef resolves through a cross-reference id (cardmarket idProduct, …).
	XRef *XRef
	// Finish narrows an XRef resolution to the variant of that finish (e.g.
	// "foil" for Cardmarket's *-foil columns); "" = the xref's own variant,
	// else the card's first variant.
	Finish string
	// Card resolves through the catalogue's natural key. Finish "" picks the
	// first variant of the first printing.
	Card *CardKey
	// Sealed resolves (and creates) a sealed product of a set.
	Sealed *SealedKey
}

// CardKey finds a card variant by game, set code, collector number and name.
type CardKey struct {
	Game   string
	Set    string
	Number string
	Name   string
	Finish string
}

// SealedKey finds a sealed product by game, set code, name and type.
type SealedKey struct {
	Game        string
	Set         string
	Name        string
	ProductType string
}

// ImportPrice is one observed price of one series on one day.
type ImportPrice struct {
	Ref            PriceRef
	Source         string // cardmarket, tcgplayer, tcgcsv, pricecharting, …
	Region         string // eu, us, graded, jp, global
	PriceType      string // trend, avg30, market, raw_us, … ("graded" rows: "graded")
	GradingCompany string // psa, bgs, cgc, sgc, ace, other; "" = raw
	Grade          string // "10", "9.5", "pc17", …; "" = raw
	Currency       string // EUR, USD, JPY
	AmountMinor    int64  // amount in minor units (cents)
	AsOf           time.Time
	IsOutlier      bool
	Line           int // source line, for error reports
}

// PricePoint is a resolved price point ready for bulk ingest.
type PricePoint struct {
	SeriesID    int64
	AsOf        time.Time
	AmountMinor int64
	IsOutlier   bool
}

// ImportReport counts what an import wrote.
type ImportReport struct {
	Sets, Cards, Printings, Variants, Images, Sealed int
	Prices, Unmatched                                int
}

// CatalogWriter writes parsed catalogue data idempotently. Each set is written
// in one transaction: a failure leaves no half-written set behind.
type CatalogWriter interface {
	UpsertGame(ctx context.Context, g GameInfo) (int64, error)
	UpsertSet(ctx context.Context, gameID int64, s ImportSet) (ImportReport, error)
	// RefreshCounters recomputes the pre-aggregated counters of /api/v2/stats.
	RefreshCounters(ctx context.Context) error
}

// PriceWriter resolves and stores imported prices in one transaction.
type PriceWriter interface {
	WritePrices(ctx context.Context, prices []ImportPrice) (ImportReport, error)
}

// Progress reports advancement of long-running work (a bar on a terminal).
type Progress interface {
	Add(n int)
	Finish()
}

// NopProgress discards progress.
type NopProgress struct{}

// Add does nothing.
func (NopProgress) Add(int) {}

// Finish does nothing.
func (NopProgress) Finish() {}

// Add accumulates o into r.
func (r *ImportReport) Add(o ImportReport) {
	r.Sets += o.Sets
	r.Cards += o.Cards
	r.Printings += o.Printings
	r.Variants += o.Variants
	r.Images += o.Images
	r.Sealed += o.Sealed
	r.Prices += o.Prices
	r.Unmatched += o.Unmatched
}
