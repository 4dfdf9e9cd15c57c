package market

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/collectorstash/csm/catalog"
)

// MaxDrafts bounds one batch of draft listings.
const MaxDrafts = 500

// DraftCard is one confirmed card of a scan session or bulk batch to list.
type DraftCard struct {
	CardID    int64    `json:"card_id"`
	Variant   string   `json:"variant"`
	Condition string   `json:"condition"`
	Quantity  *int     `json:"quantity"`
	Price     *float64 `json:"price"`
}

// DraftsInput is the body of POST /seller/listings/drafts: the confirmed
// cards of a scan session's review screen (or of a shop's bulk batch).
type DraftsInput struct {
	Cards []DraftCard `json:"cards"`
	// ScanSessionID and BatchID only label where the cards come from.
	ScanSessionID string `json:"scan_session_id"`
	BatchID       string `json:"batch_id"`
}

// DraftsResult is the answer of a drafts batch.
type DraftsResult struct {
	OK       bool      `json:"ok"`
	Created  int       `json:"created"`
	Listings []Listing `json:"listings"`
}

// CreateDrafts turns confirmed cards into draft listings of sellerID, all
// or nothing: the price is prefilled from the card's market price (EUR)
// unless given, the condition defaults to NM. The seller reviews and
// publishes them (PATCH … {"publish": true}).
func (s *Service) CreateDrafts(ctx context.Context, sellerID int64, in DraftsInput) (DraftsResult, error) {
	var f fieldErrs
	if len(in.Cards) == 0 {
		f.add("cards", "field required (at least one card)", "value_error.missing")
	} else if len(in.Cards) > MaxDrafts {
		f.add("cards", fmt.Sprintf("ensure this value has at most %d items", MaxDrafts), "value_error.list.max_items")
	}
	if err := f.err(); err != nil {
		return DraftsResult{}, err
	}
	if err := s.requireSeller(ctx, sellerID); err != nil {
		return DraftsResult{}, err
	}
	source := "scan"
	if in.BatchID != "" && in.ScanSessionID == "" {
		source = "bulk"
	}
	ns := make([]NewListing, 0, len(in.Cards))
	for i, dc := range in.Cards {
		loc := func(field string) []string { return []string{"body", "cards", strconv.Itoa(i), field} }
		bad := func(field, msg, typ string) error {
			return &catalog.Error{Code: catalog.EVALIDATION, Message: msg, Fields: []catalog.FieldError{{Loc: loc(field), Msg: msg, Type: typ}}}
		}
		if dc.CardID <= 0 {
			return DraftsResult{}, bad("card_id", "field required", "value_error.missing")
		}
		card, err := s.cfg.Store.Card(ctx, dc.CardID)
		if catalog.ErrorCode(err) == catalog.ENOTFOUND {
			return DraftsResult{}, bad("card_id", "card not found", "value_error.card_id")
		}
		if err != nil {
			return DraftsResult{}, fmt.Errorf("drafts: %w", err)
		}
		n := NewListing{SellerID: sellerID, CardID: card.ID, Variant: strings.TrimSpace(dc.Variant), Condition: NearMint,
			Quantity: 1, ImageURLs: []string{}, BuyNowEnabled: true, Status: ListingDraft, Source: source, Price: card.MarketPrice}
		if len(n.Variant) > 100 {
			return DraftsResult{}, bad("variant", "ensure this value has at most 100 characters", "value_error.any_str.max_length")
		}
		if dc.Condition != "" {
			n.Condition = Condition(strings.ToUpper(strings.TrimSpace(dc.Condition)))
			if !n.Condition.Valid() {
				return DraftsResult{}, bad("condition", "value is not a valid enumeration member; permitted: 'NM', 'LP', 'MP', 'HP', 'DMG'", "type_error.enum")
			}
		}
		if dc.Quantity != nil {
			if *dc.Quantity < 1 || *dc.Quantity > MaxQuantity {
				return DraftsResult{}, bad("quantity", fmt.Sprintf("ensure this value is between 1 and %d", MaxQuantity), "value_error.number")
			}
			n.Quantity = *dc.Quantity
		}
		if dc.Price != nil {
			c, err := EUR("price", *dc.Price)
			if err != nil {
				return DraftsResult{}, bad("price", catalog.ErrorMessage(err), "value_error.number")
			}
			n.Price = c
		}
		if n.Price <= 0 {
			return DraftsResult{}, bad("price", "no market price is known for this card: give a price", "value_error.missing")
		}
		ns = append(ns, n)
	}
	out, err := s.createListings(ctx, ns)
	if err != nil {
		return DraftsResult{}, err
	}
	return DraftsResult{OK: true, Created: len(out), Listings: out}, nil
}
