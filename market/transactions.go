package market

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/collectorstash/csm/catalog"
)

// TxStatus is where a transaction is in its flow.
type TxStatus string

// The transaction statuses: awaiting_payment → paid → shipped → delivered
// → completed; cancelled and disputed are terminal.
const (
	AwaitingPayment TxStatus = "awaiting_payment"
	Paid            TxStatus = "paid"
	Shipped         TxStatus = "shipped"
	Delivered       TxStatus = "delivered"
	Completed       TxStatus = "completed"
	Cancelled       TxStatus = "cancelled"
	Disputed        TxStatus = "disputed"
)

// TxStatuses lists every status.
var TxStatuses = []TxStatus{AwaitingPayment, Paid, Shipped, Delivered, Completed, Cancelled, Disputed}

// Role is a party of a transaction.
type Role string

// The parties.
const (
	RoleBuyer  Role = "buyer"
	RoleSeller Role = "seller"
	RoleAny    Role = "" // either (listing filters)
)

// transitions says which party may move a transaction from one status to
// another; a pair absent here is an illegal transition (409).
var transitions = map[TxStatus]map[TxStatus][]Role{
	AwaitingPayment: {Paid: {RoleSeller}, Cancelled: {RoleBuyer, RoleSeller}},
	Paid:            {Shipped: {RoleSeller}, Cancelled: {RoleSeller}, Disputed: {RoleBuyer, RoleSeller}},
	Shipped:         {Delivered: {RoleBuyer, RoleSeller}, Disputed: {RoleBuyer, RoleSeller}},
	Delivered:       {Completed: {RoleBuyer}, Disputed: {RoleBuyer, RoleSeller}},
}

// CanMove reports whether from → to is a legal transition, and for whom.
func CanMove(from, to TxStatus) ([]Role, bool) {
	r, ok := transitions[from][to]
	return r, ok
}

// Transaction is one sale between a buyer and a seller.
type Transaction struct {
	ID               int64      `json:"id"`
	ListingID        int64      `json:"listing_id"`
	CardID           int64      `json:"card_id"`
	CardName         string     `json:"card_name"`
	SellerID         int64      `json:"seller_id"`
	SellerUsername   string     `json:"seller_username"`
	BuyerID          int64      `json:"buyer_id"`
	BuyerUsername    string     `json:"buyer_username"`
	BidID            *int64     `json:"bid_id"`
	Quantity         int        `json:"quantity"`
	Amount           Cents      `json:"amount"`
	HandlingFee      Cents      `json:"handling_fee"`
	BuyerTotal       Cents      `json:"buyer_total"`
	MarketplaceFee   Cents      `json:"marketplace_fee"`
	ProtectionFee    Cents      `json:"image_protection_fee"`
	SellerPayout     Cents      `json:"seller_payout"`
	Currency         string     `json:"currency"`
	Status           TxStatus   `json:"status"`
	Carrier          *string    `json:"carrier"`
	TrackingNumber   *string    `json:"tracking_number"`
	PaymentProvider  *string    `json:"payment_provider"`
	PaymentReference *string    `json:"payment_reference"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	PaidAt           *time.Time `json:"paid_at"`
	ShippedAt        *time.Time `json:"shipped_at"`
	DeliveredAt      *time.Time `json:"delivered_at"`
	CompletedAt      *time.Time `json:"completed_at"`
	ClosedAt         *time.Time `json:"closed_at"`
	// Role is the viewer's part in it (set by the service).
	Role Role `json:"role,omitempty"`
}

// TxUpdate holds the fields a transition sets (nil: unchanged).
type TxUpdate struct {
	Carrier          *string
	TrackingNumber   *string
	PaymentProvider  *string
	PaymentReference *string
}

// roleOf returns userID's part in t, or a 403.
func roleOf(t Transaction, userID int64) (Role, error) {
	switch userID {
	case t.BuyerID:
		return RoleBuyer, nil
	case t.SellerID:
		return RoleSeller, nil
	}
	return "", catalog.Errorf(catalog.EFORBIDDEN, "Not a party to this transaction")
}

// Transaction returns one transaction to one of its parties.
func (s *Service) Transaction(ctx context.Context, userID, id int64) (Transaction, error) {
	t, err := s.cfg.Store.Transaction(ctx, id)
	if err != nil {
		return Transaction{}, fmt.Errorf("transaction: %w", err)
	}
	if t.Role, err = roleOf(t, userID); err != nil {
		return Transaction{}, err
	}
	return t, nil
}

// Transactions returns userID's transactions as role (RoleAny: both).
func (s *Service) Transactions(ctx context.Context, userID int64, role Role, limit, offset int) ([]Transaction, error) {
	ts, err := s.cfg.Store.UserTransactions(ctx, userID, role, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("transactions: %w", err)
	}
	for i := range ts {
		ts[i].Role, _ = roleOf(ts[i], userID)
	}
	return ts, nil
}

// StatusInput is the body of the status update.
type StatusInput struct {
	Status         string `json:"status"`
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
	// Provider and Reference record a payment (status paid); the manual
	// provider by default.
	Provider  string `json:"provider"`
	Reference string `json:"reference"`
}

// UpdateStatus moves a transaction on behalf of one of its parties:
// paid goes through a payment provider, shipped needs a carrier and a
// tracking number, an illegal transition is 409, the wrong party 403.
func (s *Service) UpdateStatus(ctx context.Context, userID, id int64, in StatusInput) (Transaction, error) {
	to := TxStatus(strings.TrimSpace(in.Status))
	valid := false
	for _, st := range TxStatuses {
		valid = valid || st == to
	}
	if !valid {
		return Transaction{}, catalog.Validation([]string{"body", "status"},
			"value is not a valid enumeration member; permitted: 'awaiting_payment', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', 'disputed'", "type_error.enum")
	}
	var u TxUpdate
	if to == Shipped {
		c, n, err := validShipping(in.Carrier, in.TrackingNumber)
		if err != nil {
			return Transaction{}, err
		}
		u.Carrier, u.TrackingNumber = &c, &n
	}
	t, err := s.Transaction(ctx, userID, id)
	if err != nil {
		return Transaction{}, err
	}
	roles, ok := CanMove(t.Status, to)
	if !ok {
		return Transaction{}, catalog.Errorf(catalog.ECONFLICT, "Illegal transition from %s to %s", t.Status, to)
	}
	if !hasRole(roles, t.Role) {
		return Transaction{}, catalog.Errorf(catalog.EFORBIDDEN, "Only the %s may move this transaction to %s", roles[0], to)
	}
	if to == Paid {
		name := in.Provider
		if name == "" {
			name = ManualProvider{}.Name()
		}
		p, ok := s.payments[name]
		if !ok {
			return Transaction{}, catalog.Validation([]string{"body", "provider"}, "unknown payment provider", "value_error.provider")
		}
		ref, err := p.Confirm(ctx, t, t.Role, in.Reference)
		if err != nil {
			return Transaction{}, err
		}
		u.PaymentProvider, u.PaymentReference = &name, &ref
	}
	out, err := s.cfg.Store.Transition(ctx, id, t.Status, to, u, s.now())
	if err != nil {
		return Transaction{}, fmt.Errorf("update transaction: %w", err)
	}
	out.Role = t.Role
	other := out.BuyerID
	if t.Role == RoleBuyer {
		other = out.SellerID
	}
	s.notify(ctx, other, NotifyOrderUpdated, map[string]any{
		"transaction_id": out.ID, "status": string(out.Status), "url": CheckoutURL(out.ID),
	})
	return out, nil
}

// ShippingInput is the body of the shipping update.
type ShippingInput struct {
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
}

// Ship records the carrier and tracking number and moves a paid
// transaction to shipped (seller only).
func (s *Service) Ship(ctx context.Context, userID, id int64, in ShippingInput) (Transaction, error) {
	return s.UpdateStatus(ctx, userID, id, StatusInput{Status: string(Shipped), Carrier: in.Carrier, TrackingNumber: in.TrackingNumber})
}

func validShipping(carrier, number string) (string, string, error) {
	var f fieldErrs
	c, n := strings.TrimSpace(carrier), strings.TrimSpace(number)
	if c == "" {
		f.add("carrier", "field required", "value_error.missing")
	} else if len(c) > 50 {
		f.add("carrier", "ensure this value has at most 50 characters", "value_error.any_str.max_length")
	}
	if n == "" {
		f.add("tracking_number", "field required", "value_error.missing")
	} else if len(n) > 100 {
		f.add("tracking_number", "ensure this value has at most 100 characters", "value_error.any_str.max_length")
	}
	return c, n, f.err()
}

func hasRole(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// Rating is one party's rating of the other after a transaction.
type Rating struct {
	ID            int64     `json:"id"`
	TransactionID int64     `json:"transaction_id"`
	RaterID       int64     `json:"rater_id"`
	RateeID       int64     `json:"ratee_id"`
	RaterRole     Role      `json:"rater_role"`
	Rating        int       `json:"rating"`
	Review        string    `json:"review"`
	CreatedAt     time.Time `json:"created_at"`
}

// RatingInput is the body of a rating.
type RatingInput struct {
	Rating *int   `json:"rating"`
	Review string `json:"review"`
}

// ratable are the statuses after which the parties may rate.
var ratable = map[TxStatus]bool{Shipped: true, Delivered: true, Completed: true, Disputed: true}

// Rate records userID's rating of the other party; once per party (409).
func (s *Service) Rate(ctx context.Context, userID, id int64, in RatingInput) (Rating, error) {
	var f fieldErrs
	if in.Rating == nil {
		f.add("rating", "field required", "value_error.missing")
	} else if *in.Rating < 1 || *in.Rating > 5 {
		f.add("rating", "ensure this value is between 1 and 5", "value_error.number")
	}
	review := strings.TrimSpace(in.Review)
	if utf8.RuneCountInString(review) > MaxReview {
		f.add("review", "ensure this value has at most "+strconv.Itoa(MaxReview)+" characters", "value_error.any_str.max_length")
	}
	if err := f.err(); err != nil {
		return Rating{}, err
	}
	t, err := s.Transaction(ctx, userID, id)
	if err != nil {
		return Rating{}, err
	}
	if !ratable[t.Status] {
		return Rating{}, catalog.Errorf(catalog.ECONFLICT, "A transaction can be rated once it has shipped (status is %s)", t.Status)
	}
	ratee := t.SellerID
	if t.Role == RoleSeller {
		ratee = t.BuyerID
	}
	r, err := s.cfg.Store.AddRating(ctx, Rating{TransactionID: id, RaterID: userID, RateeID: ratee, RaterRole: t.Role,
		Rating: *in.Rating, Review: review, CreatedAt: s.now()})
	if err != nil {
		return Rating{}, fmt.Errorf("rate: %w", err)
	}
	return r, nil
}

// Review is one of the recent reviews of a reputation.
type Review struct {
	Rating int       `json:"rating"`
	Review string    `json:"review"`
	Buyer  string    `json:"buyer"`
	TS     time.Time `json:"ts"`
}

// Reputation is a seller's rating by their buyers.
type Reputation struct {
	Username      string   `json:"username"`
	Avg           float64  `json:"avg"`
	Count         int      `json:"count"`
	RecentReviews []Review `json:"recent_reviews"`
}

// RecentReviews is how many reviews a reputation shows.
const RecentReviews = 10

// Reputation returns the seller reputation of username (404 unknown).
func (s *Service) Reputation(ctx context.Context, username string) (Reputation, error) {
	id, err := s.cfg.Store.UserID(ctx, strings.ToLower(strings.TrimSpace(username)))
	if err != nil {
		return Reputation{}, fmt.Errorf("reputation: %w", err)
	}
	r, err := s.cfg.Store.Reputation(ctx, id, RecentReviews)
	if err != nil {
		return Reputation{}, fmt.Errorf("reputation: %w", err)
	}
	r.Username = strings.ToLower(username)
	if r.RecentReviews == nil {
		r.RecentReviews = []Review{}
	}
	return r, nil
}

// PaymentProvider records the payment of a transaction.
type PaymentProvider interface {
	// Name is the provider's key ("manual").
	Name() string
	// Confirm checks that actor may record t's payment and returns the
	// payment reference.
	Confirm(ctx context.Context, t Transaction, actor Role, reference string) (string, error)
}

// ManualProvider is the built-in provider: the seller marks the
// transaction paid once the money arrived by any means.
type ManualProvider struct{}

// Name is "manual".
func (ManualProvider) Name() string { return "manual" }

// Confirm lets only the seller mark paid; the reference is theirs or
// manual-<id>.
func (ManualProvider) Confirm(_ context.Context, t Transaction, actor Role, reference string) (string, error) {
	if actor != RoleSeller {
		return "", catalog.Errorf(catalog.EFORBIDDEN, "Only the seller can mark a transaction paid")
	}
	reference = strings.TrimSpace(reference)
	if len(reference) > 100 {
		return "", catalog.Validation([]string{"body", "reference"}, "ensure this value has at most 100 characters", "value_error.any_str.max_length")
	}
	if reference == "" {
		reference = "manual-" + strconv.FormatInt(t.ID, 10)
	}
	return reference, nil
}
