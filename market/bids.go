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

// BidStatus is where a bid is.
type BidStatus string

// The bid statuses.
const (
	BidPending   BidStatus = "pending"
	BidAccepted  BidStatus = "accepted"
	BidRejected  BidStatus = "rejected"
	BidWithdrawn BidStatus = "withdrawn"
)

// Bid is an offer on a listing that accepts offers.
type Bid struct {
	ID             int64      `json:"id"`
	ListingID      int64      `json:"listing_id"`
	BidderID       int64      `json:"bidder_id,omitempty"`
	BidderUsername string     `json:"bidder_username,omitempty"`
	Amount         Cents      `json:"amount"`
	Currency       string     `json:"currency"`
	Message        string     `json:"message"`
	Status         BidStatus  `json:"status"`
	CreatedAt      time.Time  `json:"created_at"`
	DecidedAt      *time.Time `json:"decided_at"`
	// SellerID is the listing's seller (not shown).
	SellerID int64 `json:"-"`
}

// PublicBid is a bid as anyone sees it: the bidder anonymised.
type PublicBid struct {
	ID        int64     `json:"id"`
	Bidder    string    `json:"bidder"`
	Amount    Cents     `json:"amount"`
	Currency  string    `json:"currency"`
	Status    BidStatus `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// BidInput is the body of a new bid.
type BidInput struct {
	Amount  *float64 `json:"amount"`
	Message string   `json:"message"`
}

// PlaceBid offers amount on an active listing that accepts offers.
func (s *Service) PlaceBid(ctx context.Context, bidderID, listingID int64, in BidInput) (Bid, error) {
	var f fieldErrs
	var amount Cents
	if in.Amount == nil {
		f.add("amount", "field required", "value_error.missing")
	} else if c, err := EUR("amount", *in.Amount); err != nil {
		f.addErr(err)
	} else {
		amount = c
	}
	msg := strings.TrimSpace(in.Message)
	if utf8.RuneCountInString(msg) > MaxBidMessage {
		f.add("message", "ensure this value has at most "+strconv.Itoa(MaxBidMessage)+" characters", "value_error.any_str.max_length")
	}
	if err := f.err(); err != nil {
		return Bid{}, err
	}
	l, err := s.Listing(ctx, bidderID, listingID)
	if err != nil {
		return Bid{}, err
	}
	switch {
	case l.SellerID == bidderID:
		return Bid{}, catalog.Errorf(catalog.EINVALID, "self_bid")
	case l.Status == ListingSold:
		return Bid{}, catalog.Errorf(catalog.ECONFLICT, MsgListingSold)
	case l.Status != ListingActive:
		return Bid{}, catalog.Errorf(catalog.EINVALID, MsgListingUnavailable)
	case !l.AcceptsOffers:
		return Bid{}, catalog.Errorf(catalog.EINVALID, "offers_disabled")
	}
	if s.cfg.Blocks != nil {
		blocked, err := s.cfg.Blocks.Blocked(ctx, l.SellerID, bidderID)
		if err != nil {
			return Bid{}, fmt.Errorf("place bid: blocks: %w", err)
		}
		if blocked {
			return Bid{}, catalog.Errorf(catalog.EFORBIDDEN, "The seller does not accept bids from you")
		}
	}
	b, err := s.cfg.Store.CreateBid(ctx, Bid{ListingID: listingID, BidderID: bidderID, Amount: amount, Message: msg,
		Status: BidPending, CreatedAt: s.now()})
	if err != nil {
		return Bid{}, fmt.Errorf("place bid: %w", err)
	}
	s.notify(ctx, l.SellerID, NotifyBidReceived, map[string]any{
		"listing_id": listingID, "bid_id": b.ID, "amount": amount.Float(), "currency": Currency,
		"url": "/listings/" + strconv.FormatInt(listingID, 10),
	})
	return b, nil
}

// SellerBids returns a listing's bids with the bidders' usernames, to its
// seller only.
func (s *Service) SellerBids(ctx context.Context, sellerID, listingID int64) ([]Bid, error) {
	if _, err := s.owned(ctx, sellerID, listingID); err != nil {
		return nil, fmt.Errorf("seller bids: %w", err)
	}
	bs, err := s.cfg.Store.ListingBids(ctx, listingID)
	if err != nil {
		return nil, fmt.Errorf("seller bids: %w", err)
	}
	return bs, nil
}

// PublicBids returns a listing's bids with the bidders anonymised
// ("Bidder 1" is the first to bid) and without messages.
func (s *Service) PublicBids(ctx context.Context, viewerID, listingID int64) ([]PublicBid, error) {
	if _, err := s.Listing(ctx, viewerID, listingID); err != nil {
		return nil, err
	}
	bs, err := s.cfg.Store.ListingBids(ctx, listingID)
	if err != nil {
		return nil, fmt.Errorf("public bids: %w", err)
	}
	// number bidders by their first bid (bs is newest first)
	seq := map[int64]int{}
	for i := len(bs) - 1; i >= 0; i-- {
		if _, ok := seq[bs[i].BidderID]; !ok {
			seq[bs[i].BidderID] = len(seq) + 1
		}
	}
	out := make([]PublicBid, 0, len(bs))
	for _, b := range bs {
		out = append(out, PublicBid{ID: b.ID, Bidder: "Bidder " + strconv.Itoa(seq[b.BidderID]), Amount: b.Amount,
			Currency: Currency, Status: b.Status, CreatedAt: b.CreatedAt})
	}
	return out, nil
}

// MyBids returns the bids bidderID placed.
func (s *Service) MyBids(ctx context.Context, bidderID int64) ([]Bid, error) {
	bs, err := s.cfg.Store.UserBids(ctx, bidderID)
	if err != nil {
		return nil, fmt.Errorf("my bids: %w", err)
	}
	return bs, nil
}

// bidForSeller loads a bid and checks sellerID owns its listing.
func (s *Service) bidFor(ctx context.Context, id int64) (Bid, error) {
	b, err := s.cfg.Store.Bid(ctx, id)
	if err != nil {
		return Bid{}, fmt.Errorf("bid: %w", err)
	}
	return b, nil
}

// AcceptBid sells one unit to the bidder at the bid's amount, under the
// same single-sale rule as buy-now.
func (s *Service) AcceptBid(ctx context.Context, sellerID, bidID int64) (Checkout, error) {
	b, err := s.bidFor(ctx, bidID)
	if err != nil {
		return Checkout{}, err
	}
	if b.SellerID != sellerID {
		return Checkout{}, catalog.Errorf(catalog.EFORBIDDEN, "Only the listing's seller can accept a bid")
	}
	if b.Status != BidPending {
		return Checkout{}, catalog.Errorf(catalog.ECONFLICT, "Bid is %s, not pending", b.Status)
	}
	t, err := s.sell(ctx, Sale{ListingID: b.ListingID, BuyerID: b.BidderID, BidID: b.ID})
	if err != nil {
		return Checkout{}, err
	}
	s.notify(ctx, b.BidderID, NotifyBidAccepted, map[string]any{
		"listing_id": b.ListingID, "bid_id": b.ID, "transaction_id": t.ID, "url": CheckoutURL(t.ID),
	})
	return checkoutOf(t), nil
}

// RejectBid declines a pending bid (the listing's seller).
func (s *Service) RejectBid(ctx context.Context, sellerID, bidID int64) (Bid, error) {
	b, err := s.bidFor(ctx, bidID)
	if err != nil {
		return Bid{}, err
	}
	if b.SellerID != sellerID {
		return Bid{}, catalog.Errorf(catalog.EFORBIDDEN, "Only the listing's seller can reject a bid")
	}
	out, err := s.cfg.Store.SetBidStatus(ctx, bidID, BidPending, BidRejected, s.now())
	if err != nil {
		return Bid{}, fmt.Errorf("reject bid: %w", err)
	}
	s.notify(ctx, b.BidderID, NotifyBidRejected, map[string]any{"listing_id": b.ListingID, "bid_id": b.ID})
	return out, nil
}

// WithdrawBid takes back the bidder's pending bid.
func (s *Service) WithdrawBid(ctx context.Context, bidderID, bidID int64) (Bid, error) {
	b, err := s.bidFor(ctx, bidID)
	if err != nil {
		return Bid{}, err
	}
	if b.BidderID != bidderID {
		return Bid{}, catalog.Errorf(catalog.EFORBIDDEN, "Not your bid")
	}
	out, err := s.cfg.Store.SetBidStatus(ctx, bidID, BidPending, BidWithdrawn, s.now())
	if err != nil {
		return Bid{}, fmt.Errorf("withdraw bid: %w", err)
	}
	return out, nil
}
