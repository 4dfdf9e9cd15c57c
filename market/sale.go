package market

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// The buy-now refusals (the seed's error table).
const (
	MsgBuyNowDisabled     = "buy_now_disabled"
	MsgSelfBuy            = "self_buy"
	MsgListingUnavailable = "listing_unavailable"
	MsgListingSold        = "Listing already sold"
	MsgListingNotFound    = "Listing not found"
)

// Sale is one unit of a listing sold to a buyer, by buy-now or by
// accepting a bid (BidID != 0).
type Sale struct {
	ListingID int64
	BuyerID   int64
	BidID     int64
	Now       time.Time
}

// RefusedError is the Store's answer when the conditional UPDATE took no
// unit: Listing is the listing as it is now; the service turns it into
// the documented refusal.
type RefusedError struct {
	Listing Listing
}

func (e *RefusedError) Error() string {
	return "listing " + strconv.FormatInt(e.Listing.ID, 10) + " not sellable (" + string(e.Listing.Status) + ")"
}

// refusal explains why l cannot be sold to buyerID now.
func refusal(l Listing, buyerID int64, byBid bool, now time.Time) error {
	switch {
	case l.Status == ListingDraft && l.SellerID != buyerID:
		return catalog.Errorf(catalog.ENOTFOUND, MsgListingNotFound)
	case l.SellerID == buyerID:
		return catalog.Errorf(catalog.EINVALID, MsgSelfBuy)
	case l.Status == ListingSold:
		return catalog.Errorf(catalog.ECONFLICT, MsgListingSold)
	case l.Status != ListingActive || !now.Before(l.ExpiresAt) || l.Quantity <= 0:
		return catalog.Errorf(catalog.EINVALID, MsgListingUnavailable)
	case !byBid && !l.BuyNowEnabled:
		return catalog.Errorf(catalog.EINVALID, MsgBuyNowDisabled)
	}
	// the listing changed between the UPDATE and the read: sold meanwhile
	return catalog.Errorf(catalog.ECONFLICT, MsgListingSold)
}

// Checkout is the answer of buy-now (and of accepting a bid).
type Checkout struct {
	OK            bool     `json:"ok"`
	TransactionID int64    `json:"transaction_id"`
	RedirectURL   string   `json:"redirect_url"`
	Amount        Cents    `json:"amount"`
	Currency      string   `json:"currency"`
	BuyerTotal    Cents    `json:"buyer_total"`
	HandlingFee   Cents    `json:"handling_fee"`
	Status        TxStatus `json:"status"`
}

// CheckoutURL is the page of a transaction's payment.
func CheckoutURL(txID int64) string { return "/checkout/" + strconv.FormatInt(txID, 10) }

func checkoutOf(t Transaction) Checkout {
	return Checkout{OK: true, TransactionID: t.ID, RedirectURL: CheckoutURL(t.ID), Amount: t.Amount, Currency: t.Currency,
		BuyerTotal: t.BuyerTotal, HandlingFee: t.HandlingFee, Status: t.Status}
}

// BuyNow buys one unit of a listing at its price: an awaiting_payment
// transaction is created and the listing marked sold (its last unit).
// Only one buyer gets a unit, whatever the number of racing requests and
// API processes.
func (s *Service) BuyNow(ctx context.Context, buyerID, listingID int64) (Checkout, error) {
	t, err := s.sell(ctx, Sale{ListingID: listingID, BuyerID: buyerID})
	if err != nil {
		return Checkout{}, err
	}
	return checkoutOf(t), nil
}

// sell runs the single-sale rule and notifies the seller.
func (s *Service) sell(ctx context.Context, sale Sale) (Transaction, error) {
	rates, err := s.Rates(ctx)
	if err != nil {
		return Transaction{}, err
	}
	sale.Now = s.now()
	t, err := s.cfg.Store.Sell(ctx, sale, func(l Listing, bidAmount Cents) (Amounts, error) {
		amount := l.Price
		if sale.BidID != 0 {
			amount = bidAmount
		}
		return rates.Sale(amount, l.ImageProtection), nil
	})
	var re *RefusedError
	if errors.As(err, &re) {
		return Transaction{}, refusal(re.Listing, sale.BuyerID, sale.BidID != 0, sale.Now)
	}
	if err != nil {
		return Transaction{}, fmt.Errorf("sell listing: %w", err)
	}
	s.notify(ctx, t.SellerID, NotifyItemSold, map[string]any{
		"listing_id": t.ListingID, "transaction_id": t.ID, "amount": t.Amount.Float(), "currency": t.Currency,
		"url": CheckoutURL(t.ID),
	})
	return t, nil
}
