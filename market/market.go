// Package market is the marketplace's use cases: seller accounts, listings
// (with expiry, renewal and verification codes), buy-now, bids,
// transactions with their state machine, ratings and reputation, fees read
// from the platform settings, listing images and the Cardmarket stock
// import. The one rule that must hold across API processes — a listing is
// sold at most once (per unit) — is enforced by the Store in one SQL
// transaction with a conditional UPDATE.
package market

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Lifetimes of a listing.
const (
	// ListingTTL is how long a new listing stays up.
	ListingTTL = 60 * 24 * time.Hour
	// RenewBy is what one renewal adds.
	RenewBy = 30 * 24 * time.Hour
	// RenewIdempotence is the window in which a repeated owner renewal
	// answers the first one's result instead of adding again.
	RenewIdempotence = 60 * time.Second
	// RenewalTokenTTL is the lifetime of an e-mailed renewal link.
	RenewalTokenTTL = 7 * 24 * time.Hour
	// ReminderBefore is how long before expiry the reminder is sent.
	ReminderBefore = 7 * 24 * time.Hour
)

// Limits of the request bodies.
const (
	MaxDescription = 2000
	MaxBidMessage  = 500
	MaxReview      = 1000
	MaxImageURLs   = 10
	MaxQuantity    = 10_000
	MaxImageBytes  = 8 << 20
)

// Condition is a card's grade of wear.
type Condition string

// The conditions a listing may have.
const (
	NearMint         Condition = "NM"
	LightlyPlayed    Condition = "LP"
	ModeratelyPlayed Condition = "MP"
	HeavilyPlayed    Condition = "HP"
	Damaged          Condition = "DMG"
)

// Conditions lists every valid condition.
var Conditions = []Condition{NearMint, LightlyPlayed, ModeratelyPlayed, HeavilyPlayed, Damaged}

// Valid reports whether c is one of Conditions.
func (c Condition) Valid() bool {
	for _, v := range Conditions {
		if c == v {
			return true
		}
	}
	return false
}

// ListingStatus is where a listing is in its life. An active listing whose
// expires_at has passed is shown as expired.
type ListingStatus string

// The listing statuses.
const (
	ListingDraft     ListingStatus = "draft"
	ListingActive    ListingStatus = "active"
	ListingSold      ListingStatus = "sold"
	ListingWithdrawn ListingStatus = "withdrawn"
	ListingExpired   ListingStatus = "expired" // shown only, never stored
)

// Currency is the one currency of the marketplace.
const Currency = "EUR"

// Listing is one offer of a card for sale.
type Listing struct {
	ID               int64         `json:"id"`
	SellerID         int64         `json:"seller_id"`
	SellerUsername   string        `json:"seller_username"`
	CardID           int64         `json:"card_id"`
	CardName         string        `json:"card_name"`
	SetName          string        `json:"set_name"`
	TCGSlug          string        `json:"tcg_slug"`
	Variant          string        `json:"variant"`
	Price            Cents         `json:"price"`
	Currency         string        `json:"currency"`
	Condition        Condition     `json:"condition"`
	Quantity         int           `json:"quantity"`
	Graded           bool          `json:"graded"`
	GradingCompany   *string       `json:"grading_company"`
	Grade            *float64      `json:"grade"`
	Description      string        `json:"description"`
	ImageURLs        []string      `json:"image_urls"`
	AcceptsOffers    bool          `json:"accepts_offers"`
	BuyNowEnabled    bool          `json:"buy_now_enabled"`
	ImageProtection  bool          `json:"image_protection"`
	Status           ListingStatus `json:"status"`
	Source           string        `json:"source"`
	VerificationCode string        `json:"verification_code"`
	RenewalCount     int           `json:"renewal_count"`
	CreatedAt        time.Time     `json:"created_at"`
	UpdatedAt        time.Time     `json:"updated_at"`
	ExpiresAt        time.Time     `json:"expires_at"`
	SoldAt           *time.Time    `json:"sold_at"`
	// LastRenewedAt is the time of the last renewal (idempotence window).
	LastRenewedAt *time.Time `json:"-"`
	// GameID is the card's game (stored for the per-game browse index).
	GameID int64 `json:"-"`
}

// Shown returns the listing with its displayed status: an active listing
// past its expiry is expired.
func (l Listing) Shown(now time.Time) Listing {
	if l.Status == ListingActive && !now.Before(l.ExpiresAt) {
		l.Status = ListingExpired
	}
	return l
}

// Card is what a listing needs to know about its card.
type Card struct {
	ID      int64
	Name    string
	SetName string
	GameID  int64
	TCGSlug string
	// MarketPrice is the card's headline EUR price (0 when unknown).
	MarketPrice Cents
}

// NewListing is a listing to store; the service has validated it.
type NewListing struct {
	SellerID         int64
	CardID           int64
	Variant          string
	Price            Cents
	Condition        Condition
	Quantity         int
	Graded           bool
	GradingCompany   *string
	Grade            *float64
	Description      string
	ImageURLs        []string
	AcceptsOffers    bool
	BuyNowEnabled    bool
	ImageProtection  bool
	Status           ListingStatus
	Source           string
	VerificationCode string
	CreatedAt        time.Time
	ExpiresAt        time.Time
}

// ListingPatch holds the fields a seller edits; nil leaves one unchanged.
type ListingPatch struct {
	Price         *Cents
	Condition     *Condition
	Quantity      *int
	Variant       *string
	Description   *string
	ImageURLs     *[]string
	AcceptsOffers *bool
	BuyNowEnabled *bool
	// Publish turns a draft into an active listing (expiry restarts).
	Publish bool
}

// ListingSort orders a browse.
type ListingSort string

// The browse orders.
const (
	SortNewest    ListingSort = "newest"
	SortPriceAsc  ListingSort = "price_asc"
	SortPriceDesc ListingSort = "price_desc"
)

// ListingQuery filters the browse of active, unexpired listings.
type ListingQuery struct {
	TCGSlug   string
	CardID    int64
	SellerID  int64
	MinPrice  Cents
	MaxPrice  Cents
	Condition Condition
	Sort      ListingSort
	Limit     int
	Offset    int
	Now       time.Time
}

// BrowseCountCap is the most a browse counts: beyond it total is the cap
// and total_capped is true ("1,000+").
const BrowseCountCap = 1000

// ListingPage is one page of a browse.
type ListingPage struct {
	Items       []Listing `json:"items"`
	Total       int       `json:"total"`
	TotalCapped bool      `json:"total_capped"`
	Limit       int       `json:"limit"`
	Offset      int       `json:"offset"`
}

// Seller is a user's seller account.
type Seller struct {
	UserID             int64     `json:"user_id"`
	Username           string    `json:"username"`
	DisplayName        string    `json:"display_name"`
	Country            string    `json:"country"`
	CardmarketUsername *string   `json:"cardmarket_username"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Store is the persistence the marketplace needs (postgres.MarketStore).
type Store interface {
	// Platform settings.
	Settings(ctx context.Context) ([]Setting, error)
	PutSetting(ctx context.Context, s Setting) (Setting, error)
	DeleteSetting(ctx context.Context, key string) error

	// Sellers.
	UpsertSeller(ctx context.Context, s Seller) (Seller, error)
	Seller(ctx context.Context, userID int64) (Seller, error)
	SetCardmarketUsername(ctx context.Context, userID int64, name string, now time.Time) (Seller, error)
	UserID(ctx context.Context, username string) (int64, error)

	// Cards.
	Card(ctx context.Context, id int64) (Card, error)
	// FindCards resolves Cardmarket rows' (product id, name, expansion) to
	// cards; the map is keyed by row index, rows not found are absent.
	FindCards(ctx context.Context, rows []CardmarketRow) (map[int]Card, error)

	// Listings.
	CreateListings(ctx context.Context, ls []NewListing) ([]Listing, error)
	Listing(ctx context.Context, id int64) (Listing, error)
	Browse(ctx context.Context, q ListingQuery) (ListingPage, error)
	UpdateListing(ctx context.Context, id, sellerID int64, p ListingPatch, now time.Time) (Listing, error)
	SetListingStatus(ctx context.Context, id, sellerID int64, from []ListingStatus, to ListingStatus, now time.Time) (Listing, error)
	// RenewListing adds RenewBy to an active listing's expiry (from now
	// when already expired) unless it was renewed within the idempotence
	// window; renewed reports whether it added. sellerID 0 skips the
	// owner check; tokenID != "" spends that single-use token in the same
	// transaction (ECONFLICT when already spent).
	RenewListing(ctx context.Context, id, sellerID int64, tokenID string, now time.Time) (l Listing, renewed bool, err error)
	ListingByCode(ctx context.Context, code string) (Listing, error)
	// ExpiringListings returns active listings expiring between now and
	// until that got no reminder yet, and marks them reminded.
	ExpiringListings(ctx context.Context, now, until time.Time, limit int) ([]Reminder, error)

	// Sell records one sale of one unit: in one SQL transaction it
	// accepts the bid (when s.BidID != 0, which must be pending), takes a
	// unit from the listing only while it is active, unexpired, not the
	// buyer's and (buy-now) buy_now_enabled, and inserts the transaction
	// priced by quote. A listing that cannot be sold answers the Sale*
	// errors.
	Sell(ctx context.Context, s Sale, quote func(Listing, Cents) (Amounts, error)) (Transaction, error)

	// Bids.
	CreateBid(ctx context.Context, b Bid) (Bid, error)
	Bid(ctx context.Context, id int64) (Bid, error)
	ListingBids(ctx context.Context, listingID int64) ([]Bid, error)
	UserBids(ctx context.Context, bidderID int64) ([]Bid, error)
	SetBidStatus(ctx context.Context, id int64, from, to BidStatus, now time.Time) (Bid, error)

	// Transactions.
	Transaction(ctx context.Context, id int64) (Transaction, error)
	UserTransactions(ctx context.Context, userID int64, role Role, limit, offset int) ([]Transaction, error)
	// Transition moves a transaction from → to with u's fields, only if it
	// is still in from (ECONFLICT otherwise). Cancelling puts the unit back
	// on its listing.
	Transition(ctx context.Context, id int64, from, to TxStatus, u TxUpdate, now time.Time) (Transaction, error)

	// Ratings.
	AddRating(ctx context.Context, r Rating) (Rating, error)
	Reputation(ctx context.Context, userID int64, recent int) (Reputation, error)
}

// Notifier delivers a user notification ("your item sold", "new bid") to
// the notification feed. Errors are logged, never fatal.
type Notifier interface {
	Notify(ctx context.Context, userID int64, kind string, payload map[string]any) error
}

// Notification kinds the marketplace sends.
const (
	NotifyBidReceived  = "bid_received"
	NotifyBidAccepted  = "bid_accepted"
	NotifyBidRejected  = "bid_rejected"
	NotifyItemSold     = "item_sold"
	NotifyOrderUpdated = "order_updated"
)

// ImageEncoder turns an uploaded listing photo into the stored WebP
// (decoded, EXIF dropped); a non-empty watermark is drawn visibly on it.
type ImageEncoder interface {
	EncodeListingImage(data []byte, watermark string) ([]byte, error)
}

// Files stores the encoded listing images under the static tree.
type Files interface {
	// Save writes data at rel (slash-separated, under the static root).
	Save(ctx context.Context, rel string, data []byte) error
}

// Mailer sends a plain-text e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Config wires a Service.
type Config struct {
	Store  Store
	Events catalog.EventPublisher // nil: no events
	Notify Notifier               // nil: no notifications
	Images ImageEncoder           // nil: uploads refused (503)
	Files  Files                  // nil: uploads refused (503)
	Mailer Mailer                 // nil: no reminders
	// Secret signs the renewal tokens (the session secret).
	Secret []byte
	// PublicURL is the base of links in e-mails (http://localhost:8000).
	PublicURL string
	// Payments are the payment providers by name; the manual provider is
	// always present.
	Payments []PaymentProvider
	Now      func() time.Time
	Log      *slog.Logger
	// Rand is the source of codes and tokens (crypto/rand by default).
	Rand io.Reader
	// Verified says whether a user's e-mail address is verified; sellers
	// must be before they list (and so get paid). nil: no check.
	Verified Verifier
	// Blocks says whether a user has blocked another (the community's
	// blocks): a seller who blocked a user refuses their bids. nil: no
	// blocks.
	Blocks Blocker
}

// Blocker answers whether blocker has blocked blocked.
type Blocker interface {
	Blocked(ctx context.Context, blocker, blocked int64) (bool, error)
}

// Verifier reports whether a user's e-mail address is verified
// (accountmail.Service is one).
type Verifier interface {
	Verified(ctx context.Context, userID int64) (bool, error)
}

// MsgVerifyEmail is the 403 detail for a seller whose e-mail address is not
// verified.
const MsgVerifyEmail = "Verify your e-mail address first"

// Service is the marketplace.
type Service struct {
	cfg      Config
	payments map[string]PaymentProvider
}

// New returns the marketplace service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Service{cfg: cfg, payments: map[string]PaymentProvider{}}
	s.payments[ManualProvider{}.Name()] = ManualProvider{}
	for _, p := range cfg.Payments {
		s.payments[p.Name()] = p
	}
	return s
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// publish sends events best effort.
func (s *Service) publish(ctx context.Context, events ...catalog.Event) {
	if s.cfg.Events == nil || len(events) == 0 {
		return
	}
	if err := s.cfg.Events.Publish(ctx, events...); err != nil {
		s.cfg.Log.WarnContext(ctx, "market: publish events", "err", err)
	}
}

// notify sends a notification best effort.
func (s *Service) notify(ctx context.Context, userID int64, kind string, payload map[string]any) {
	if s.cfg.Notify == nil {
		return
	}
	if err := s.cfg.Notify.Notify(ctx, userID, kind, payload); err != nil {
		s.cfg.Log.WarnContext(ctx, "market: notify", "kind", kind, "user_id", userID, "err", err)
	}
}
