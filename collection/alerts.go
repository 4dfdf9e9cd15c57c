package collection

import (
	"context"
	"fmt"
	"time"
)

// AlertCondition is the direction of a price alert.
type AlertCondition string

// An alert triggers when a new price is at or below (or at or above) its
// target.
const (
	Below AlertCondition = "below"
	Above AlertCondition = "above"
)

// Alert is one price alert as listed.
type Alert struct {
	ID          int64          `json:"id"`
	CardID      int64          `json:"card_id"`
	CardName    string         `json:"card_name"`
	TargetPrice float64        `json:"target_price"`
	Condition   AlertCondition `json:"condition"`
	Currency    string         `json:"currency"`
	IsActive    bool           `json:"is_active"`
	TriggeredAt *time.Time     `json:"triggered_at"`
	CreatedAt   time.Time      `json:"created_at"`
}

// NewAlert is a validated alert to store.
type NewAlert struct {
	CardID      int64
	TargetMinor int64
	Condition   AlertCondition
	Currency    string
}

// AlertRequest is the body of POST /alerts.
type AlertRequest struct {
	CardID      int64    `json:"card_id"`
	TargetPrice *float64 `json:"target_price"`
	Condition   *string  `json:"condition"`
	Currency    *string  `json:"currency"`
}

// AlertStore keeps price alerts. Evaluation is not here: the price write
// path triggers alerts in its own transaction (see postgres WritePrices).
type AlertStore interface {
	Alerts(ctx context.Context, userID int64) ([]Alert, error)
	// CreateAlert: ECONFLICT when the user has the same alert, ENOTFOUND
	// when the card does not exist.
	CreateAlert(ctx context.Context, userID int64, a NewAlert) (Alert, error)
	DeleteAlert(ctx context.Context, userID, id int64) error
}

// MaxAlerts bounds one user's alerts.
const MaxAlerts = 500

// Alerts lists the user's alerts, newest first.
func (s *Service) Alerts(ctx context.Context, userID int64) ([]Alert, error) {
	return s.store.Alerts(ctx, userID)
}

// CreateAlert validates and stores an alert; a duplicate is 409.
func (s *Service) CreateAlert(ctx context.Context, userID int64, r AlertRequest) (Alert, error) {
	var f fieldErrs
	a := NewAlert{CardID: r.CardID, Condition: Below, Currency: EUR}
	if r.CardID <= 0 {
		f.add("card_id", "field required", "value_error.missing")
	}
	if r.TargetPrice == nil {
		f.add("target_price", "field required", "value_error.missing")
	} else if m, ok := ToMinor(*r.TargetPrice); !ok || m == 0 {
		f.add("target_price", "target_price must be greater than 0 and at most 10000000", "value_error.number.not_in_range")
	} else {
		a.TargetMinor = m
	}
	if r.Condition != nil {
		switch AlertCondition(*r.Condition) {
		case Below, Above:
			a.Condition = AlertCondition(*r.Condition)
		default:
			f.add("condition", "value is not a valid enumeration member; permitted: 'below', 'above'", "type_error.enum")
		}
	}
	if r.Currency != nil {
		c, ok := ParseCurrency(*r.Currency, EUR)
		if !ok {
			f.add("currency", "value is not a valid enumeration member; permitted: 'EUR', 'USD'", "type_error.enum")
		}
		a.Currency = c
	}
	if err := f.err(); err != nil {
		return Alert{}, err
	}
	out, err := s.store.CreateAlert(ctx, userID, a)
	if err != nil {
		return Alert{}, fmt.Errorf("create alert: %w", err)
	}
	return out, nil
}

// DeleteAlert removes the user's alert.
func (s *Service) DeleteAlert(ctx context.Context, userID, id int64) error {
	return s.store.DeleteAlert(ctx, userID, id)
}

// WishItem is one wishlist entry as listed, with the card's current
// market price in its currency.
type WishItem struct {
	ID           int64      `json:"id"`
	CardID       int64      `json:"card_id"`
	CardName     string     `json:"card_name"`
	TCGSlug      string     `json:"tcg_slug"`
	SetName      string     `json:"set_name"`
	ImageURL     *string    `json:"image_url"`
	MaxPrice     *float64   `json:"max_price"`
	Currency     string     `json:"currency"`
	CurrentPrice *float64   `json:"current_price"`
	NotifiedAt   *time.Time `json:"notified_at"`
	AddedAt      time.Time  `json:"added_at"`
}

// WishRequest is the body of POST /wishlist/add.
type WishRequest struct {
	CardID   int64    `json:"card_id"`
	MaxPrice *float64 `json:"max_price"`
	Currency *string  `json:"currency"`
}

// WishlistStore keeps wishlists; adding a card already wished updates its
// max_price and re-arms its notification.
type WishlistStore interface {
	Wishlist(ctx context.Context, userID int64) ([]WishItem, error)
	UpsertWish(ctx context.Context, userID, cardID int64, maxMinor *int64, currency string) (WishItem, bool, error)
	DeleteWish(ctx context.Context, userID, cardID int64) error
}

// Wishlist lists the user's wishlist, newest first.
func (s *Service) Wishlist(ctx context.Context, userID int64) ([]WishItem, error) {
	return s.store.Wishlist(ctx, userID)
}

// Wish adds (created true) or updates a wishlist card.
func (s *Service) Wish(ctx context.Context, userID int64, r WishRequest) (WishItem, bool, error) {
	var f fieldErrs
	if r.CardID <= 0 {
		f.add("card_id", "field required", "value_error.missing")
	}
	var max *int64
	if r.MaxPrice != nil {
		m, ok := ToMinor(*r.MaxPrice)
		if !ok {
			f.add("max_price", "max_price must be between 0 and 10000000", "value_error.number.not_in_range")
		}
		max = &m
	}
	cur := EUR
	if r.Currency != nil {
		c, ok := ParseCurrency(*r.Currency, EUR)
		if !ok {
			f.add("currency", "value is not a valid enumeration member; permitted: 'EUR', 'USD'", "type_error.enum")
		}
		cur = c
	}
	if err := f.err(); err != nil {
		return WishItem{}, false, err
	}
	return s.store.UpsertWish(ctx, userID, r.CardID, max, cur)
}

// Unwish removes a card from the user's wishlist.
func (s *Service) Unwish(ctx context.Context, userID, cardID int64) error {
	return s.store.DeleteWish(ctx, userID, cardID)
}
