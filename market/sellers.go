package market

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/collectorstash/csm/catalog"
)

// SellerInput is the body of becoming a seller (or updating the profile).
type SellerInput struct {
	DisplayName string `json:"display_name"`
	Country     string `json:"country"`
}

var countryRE = regexp.MustCompile(`^[A-Z]{2}$`)

// BecomeSeller creates (or updates) userID's seller account.
func (s *Service) BecomeSeller(ctx context.Context, userID int64, in SellerInput) (Seller, error) {
	var f fieldErrs
	name := strings.TrimSpace(in.DisplayName)
	country := strings.ToUpper(strings.TrimSpace(in.Country))
	if name == "" {
		f.add("display_name", "field required", "value_error.missing")
	} else if utf8.RuneCountInString(name) > 60 {
		f.add("display_name", "ensure this value has at most 60 characters", "value_error.any_str.max_length")
	}
	if country == "" {
		f.add("country", "field required", "value_error.missing")
	} else if !countryRE.MatchString(country) {
		f.add("country", "country must be an ISO 3166-1 alpha-2 code", "value_error.str.regex")
	}
	if err := f.err(); err != nil {
		return Seller{}, err
	}
	now := s.now()
	out, err := s.cfg.Store.UpsertSeller(ctx, Seller{UserID: userID, DisplayName: name, Country: country, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return Seller{}, fmt.Errorf("become seller: %w", err)
	}
	return out, nil
}

// Seller returns userID's seller account (404 when not a seller).
func (s *Service) Seller(ctx context.Context, userID int64) (Seller, error) {
	out, err := s.cfg.Store.Seller(ctx, userID)
	if err != nil {
		return Seller{}, fmt.Errorf("seller: %w", err)
	}
	return out, nil
}

// CardmarketInput is the body of linking a Cardmarket account.
type CardmarketInput struct {
	Username string `json:"username"`
}

var cardmarketUserRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{2,40}$`)

// LinkCardmarket records the seller's Cardmarket username ("" unlinks).
func (s *Service) LinkCardmarket(ctx context.Context, userID int64, in CardmarketInput) (Seller, error) {
	name := strings.TrimSpace(in.Username)
	if name == "" {
		return Seller{}, catalog.Validation([]string{"body", "username"}, "field required", "value_error.missing")
	}
	if !cardmarketUserRE.MatchString(name) {
		return Seller{}, catalog.Validation([]string{"body", "username"}, "a Cardmarket username is 2-40 of A-Z a-z 0-9 _ . -", "value_error.str.regex")
	}
	if err := s.requireSeller(ctx, userID); err != nil {
		return Seller{}, err
	}
	out, err := s.cfg.Store.SetCardmarketUsername(ctx, userID, name, s.now())
	if err != nil {
		return Seller{}, fmt.Errorf("link cardmarket: %w", err)
	}
	return out, nil
}

// ImportResult is the answer of a stock import.
type ImportResult struct {
	OK       bool      `json:"ok"`
	Imported int       `json:"imported"`
	Listings []Listing `json:"listings"`
}

// ImportCardmarket turns a Cardmarket stock export into active listings of
// sellerID, all or nothing: a malformed row, or a row whose card is not
// in the catalogue, is a 422 naming its line and nothing is written.
func (s *Service) ImportCardmarket(ctx context.Context, sellerID int64, r io.Reader) (ImportResult, error) {
	if err := s.requireSeller(ctx, sellerID); err != nil {
		return ImportResult{}, err
	}
	rows, err := ParseCardmarketCSV(r)
	if err != nil {
		return ImportResult{}, err
	}
	cards, err := s.cfg.Store.FindCards(ctx, rows)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import cardmarket: %w", err)
	}
	ns := make([]NewListing, 0, len(rows))
	for i, row := range rows {
		c, ok := cards[i]
		if !ok {
			what := row.Name
			if what == "" {
				what = "idProduct " + row.ProductID
			}
			return ImportResult{}, lineError(row.Line, "name", fmt.Sprintf("card %q (%s) is not in the catalogue", clip(what), clip(row.Expansion)))
		}
		variant := ""
		if row.Foil {
			variant = "foil"
		}
		ns = append(ns, NewListing{SellerID: sellerID, CardID: c.ID, Variant: variant, Price: row.Price, Condition: row.Condition,
			Quantity: row.Quantity, Description: row.Comments, ImageURLs: []string{}, BuyNowEnabled: true,
			Status: ListingActive, Source: "cardmarket_csv"})
	}
	out, err := s.createListings(ctx, ns)
	if err != nil {
		return ImportResult{}, err
	}
	return ImportResult{OK: true, Imported: len(out), Listings: out}, nil
}
