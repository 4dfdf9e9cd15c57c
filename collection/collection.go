// Package collection holds the collector's own data and its rules: owned
// cards and their portfolio value, CSV import/export, the wishlist, price
// alerts, decks with format legality, and the public profile's privacy.
// It declares the store it needs (Store); postgres implements it.
package collection

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Condition is a card's condition grade (the seed's NM … DMG).
type Condition string

// The conditions, best first.
const (
	NearMint Condition = "NM"
	Lightly  Condition = "LP"
	Moderate Condition = "MP"
	Heavily  Condition = "HP"
	Damaged  Condition = "DMG"
)

// Conditions lists every condition, best first.
var Conditions = []Condition{NearMint, Lightly, Moderate, Heavily, Damaged}

// ParseCondition accepts a condition case-insensitively ("" = NM).
func ParseCondition(s string) (Condition, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return NearMint, true
	}
	for _, c := range Conditions {
		if string(c) == s {
			return c, true
		}
	}
	return "", false
}

// Grading companies the collection accepts (upper case).
var GradingCompanies = []string{"PSA", "BGS", "CGC", "SGC"}

// Currencies a value can be asked in (the price store's currencies).
const (
	EUR = "EUR"
	USD = "USD"
)

// DefaultValueCurrency is the portfolio's currency unless asked otherwise:
// the seed states price_paid in USD, and graded prices are USD.
const DefaultValueCurrency = USD

// Limits of the collection's inputs.
const (
	MaxQuantity = 100_000
	MaxListSize = 200
	MaxMoney    = 10_000_000 // per card, in currency units
)

// Entry is one collection row as listed.
type Entry struct {
	ID             int64     `json:"id"`
	CardID         int64     `json:"card_id"`
	CardName       string    `json:"card_name"`
	TCGSlug        string    `json:"tcg_slug"`
	SetName        string    `json:"set_name"`
	SetCode        string    `json:"set_code"`
	Number         string    `json:"collector_number"`
	Quantity       int       `json:"quantity"`
	Condition      Condition `json:"condition"`
	Variant        *string   `json:"variant"`
	VariantID      *int64    `json:"variant_id"`
	PricePaid      *float64  `json:"price_paid"`
	Graded         bool      `json:"graded"`
	GradingCompany *string   `json:"grading_company"`
	Grade          *float64  `json:"grade"`
	// UnitValue is one copy's current price, CurrentValue the entry's
	// (UnitValue × Quantity); null when no price is known.
	UnitValue    *float64  `json:"unit_value"`
	CurrentValue *float64  `json:"current_value"`
	Currency     string    `json:"currency"`
	ImageURL     *string   `json:"image_url"`
	AddedAt      time.Time `json:"added_at"`
}

// EntryInput is a new entry or, with the Set* flags, an update: only the
// fields present change.
type EntryInput struct {
	CardID         int64
	Quantity       int
	Condition      Condition
	Variant        *string
	VariantID      *int64 // resolved by the service from Variant
	PricePaidMinor *int64
	Graded         bool
	GradingCompany *string
	Grade          *float64
}

// EntryPatch is an update: nil fields stay as they are; Clear* empties an
// optional field.
type EntryPatch struct {
	Quantity       *int
	Condition      *Condition
	Variant        *string // "" clears
	VariantID      *int64
	ClearVariant   bool
	PricePaidMinor *int64
	ClearPricePaid bool
	Graded         *bool
	GradingCompany *string
	Grade          *float64
	ClearGrade     bool
}

// ListQuery pages and filters a collection.
type ListQuery struct {
	Limit, Offset int
	TCG           string // game slug or alias; "" = all
	Sort          string // one of Sorts
	Currency      string
}

// The collection sorts.
const (
	SortAdded = "added"
	SortName  = "name"
	SortValue = "value"
)

// Sorts lists the accepted sort keys.
var Sorts = []string{SortAdded, SortName, SortValue}

// CardInfo is what the service needs to know of a card to accept it.
type CardInfo struct {
	ID       int64
	Name     string
	GameSlug string
	Variants []VariantInfo
}

// VariantInfo names one catalogue variant of a card.
type VariantInfo struct {
	ID       int64
	PrintRun string
	Finish   string
	Label    string
}

// Store is the persistence the service needs. Every method that takes a
// userID acts only on that user's rows: another user's row is ENOTFOUND.
type Store interface {
	EntryStore
	AlertStore
	WishlistStore
	DeckStore
	ProfileStore
	BatchScanStore
}

// EntryStore keeps collection entries and values them.
type EntryStore interface {
	// Card returns a card with its variants; ENOTFOUND when absent.
	CollectionCard(ctx context.Context, cardID int64) (CardInfo, error)
	AddCollectionEntry(ctx context.Context, userID int64, in EntryInput) (int64, error)
	UpdateCollectionEntry(ctx context.Context, userID, id int64, p EntryPatch) error
	DeleteCollectionEntry(ctx context.Context, userID, id int64) error
	// Entry and Entries read rows valued in q.Currency.
	CollectionEntry(ctx context.Context, userID, id int64, currency string) (Entry, error)
	CollectionEntries(ctx context.Context, userID int64, q ListQuery) ([]Entry, int, error)
	// AddEntries writes every entry in one transaction (all or nothing).
	AddCollectionEntries(ctx context.Context, userID int64, in []EntryInput) error
	CollectionPortfolio(ctx context.Context, userID int64, currency string, today time.Time) (Portfolio, error)
	// PortfolioSeries returns the copies valued with each price series
	// (as CollectionPortfolio picks them) and the series' non-outlier
	// points from the last one before from through to, by day.
	PortfolioSeries(ctx context.Context, userID int64, currency string, from, to time.Time) (map[int64]int64, []SeriesPoint, error)
	// CardsByNumber resolves (game, set code, collector number) keys to
	// cards; keys that name no card are absent from the map.
	CollectionCardsByNumber(ctx context.Context, keys []NumberKey) (map[NumberKey]CardInfo, error)
	// CardsByName resolves names (lower-cased) of one game to cards.
	CollectionCardsByName(ctx context.Context, game string, names []string) (map[string]CardInfo, error)
	// CardIDsExist returns the ids among ids that name a card.
	CollectionCardsByID(ctx context.Context, ids []int64) (map[int64]CardInfo, error)
}

// Service is the collection capability.
type Service struct {
	store   Store
	now     func() time.Time
	profile ProfileOptions
}

// NewService returns the service over store; now is the clock (nil:
// time.Now).
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// AddRequest is the body of POST /collection/add (and one CSV row).
type AddRequest struct {
	CardID         int64    `json:"card_id"`
	Quantity       *int     `json:"quantity"`
	Condition      *string  `json:"condition"`
	Variant        *string  `json:"variant"`
	PricePaid      *float64 `json:"price_paid"`
	Graded         *bool    `json:"graded"`
	GradingCompany *string  `json:"grading_company"`
	Grade          *float64 `json:"grade"`
}

// UpdateRequest is the body of an entry update: any of its fields.
type UpdateRequest struct {
	Quantity       *int     `json:"quantity"`
	Condition      *string  `json:"condition"`
	Variant        *string  `json:"variant"`
	PricePaid      *float64 `json:"price_paid"`
	Graded         *bool    `json:"graded"`
	GradingCompany *string  `json:"grading_company"`
	Grade          *float64 `json:"grade"`
}

// fieldErrs collects body validation failures into one 422.
type fieldErrs []catalog.FieldError

func (f *fieldErrs) add(name, msg, typ string) {
	*f = append(*f, catalog.FieldError{Loc: []string{"body", name}, Msg: msg, Type: typ})
}

func (f fieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	return &catalog.Error{Code: catalog.EVALIDATION, Message: f[0].Loc[1] + ": " + f[0].Msg, Fields: f}
}

// ToMinor converts a money amount to cents; false when it is not a finite
// amount in [0, MaxMoney].
func ToMinor(v float64) (int64, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > MaxMoney {
		return 0, false
	}
	return int64(math.Round(v * 100)), true
}

// FromMinor converts cents to a money amount.
func FromMinor(m int64) float64 { return float64(m) / 100 }

func validQuantity(f *fieldErrs, q int) {
	if q < 1 || q > MaxQuantity {
		f.add("quantity", "ensure this value is between 1 and "+strconv.Itoa(MaxQuantity), "value_error.number.not_in_range")
	}
}

func validGrade(f *fieldErrs, g float64) {
	if math.IsNaN(g) || g < 1 || g > 10 || math.Round(g*2) != g*2 {
		f.add("grade", "grade must be between 1 and 10 in steps of 0.5", "value_error.number.not_in_range")
	}
}

func normCompany(f *fieldErrs, s string) *string {
	c := strings.ToUpper(strings.TrimSpace(s))
	if c == "" {
		return nil
	}
	for _, g := range GradingCompanies {
		if g == c {
			return &c
		}
	}
	f.add("grading_company", "value is not a valid enumeration member; permitted: 'PSA', 'BGS', 'CGC', 'SGC'", "type_error.enum")
	return nil
}

// Add validates and stores a new entry; it answers the stored entry.
func (s *Service) Add(ctx context.Context, userID int64, r AddRequest) (Entry, error) {
	in, err := s.entryInput(ctx, r)
	if err != nil {
		return Entry{}, err
	}
	id, err := s.store.AddCollectionEntry(ctx, userID, in)
	if err != nil {
		return Entry{}, fmt.Errorf("add entry: %w", err)
	}
	return s.store.CollectionEntry(ctx, userID, id, DefaultValueCurrency)
}

// entryInput validates an add request against the catalogue.
func (s *Service) entryInput(ctx context.Context, r AddRequest) (EntryInput, error) {
	var f fieldErrs
	in, card := s.checkAdd(&f, r)
	if err := f.err(); err != nil {
		return in, err
	}
	info, err := s.store.CollectionCard(ctx, card)
	if err != nil {
		return in, err
	}
	if err := resolveVariant(&in, info); err != nil {
		return in, err
	}
	return in, nil
}

// checkAdd validates the fields of an add request that need no store.
func (s *Service) checkAdd(f *fieldErrs, r AddRequest) (EntryInput, int64) {
	in := EntryInput{CardID: r.CardID, Quantity: 1, Condition: NearMint}
	if r.CardID <= 0 {
		f.add("card_id", "field required", "value_error.missing")
	}
	if r.Quantity != nil {
		in.Quantity = *r.Quantity
		validQuantity(f, in.Quantity)
	}
	if r.Condition != nil {
		c, ok := ParseCondition(*r.Condition)
		if !ok {
			f.add("condition", "value is not a valid enumeration member; permitted: 'NM', 'LP', 'MP', 'HP', 'DMG'", "type_error.enum")
		}
		in.Condition = c
	}
	if r.Variant != nil && strings.TrimSpace(*r.Variant) != "" {
		v := strings.TrimSpace(*r.Variant)
		if len(v) > 100 {
			f.add("variant", "ensure this value has at most 100 characters", "value_error.any_str.max_length")
		}
		in.Variant = &v
	}
	if r.PricePaid != nil {
		m, ok := ToMinor(*r.PricePaid)
		if !ok {
			f.add("price_paid", "price_paid must be between 0 and 10000000", "value_error.number.not_in_range")
		}
		in.PricePaidMinor = &m
	}
	if r.Graded != nil {
		in.Graded = *r.Graded
	}
	if r.GradingCompany != nil {
		in.GradingCompany = normCompany(f, *r.GradingCompany)
	}
	if r.Grade != nil {
		validGrade(f, *r.Grade)
		g := *r.Grade
		in.Grade = &g
	}
	if (in.GradingCompany != nil || in.Grade != nil) && r.Graded == nil {
		in.Graded = true
	}
	if !in.Graded && (in.GradingCompany != nil || in.Grade != nil) {
		f.add("graded", "grading_company and grade need graded: true", "value_error")
	}
	return in, r.CardID
}

// resolveVariant maps the entry's variant name to a catalogue variant of
// the card (EVALIDATION naming the known ones when none matches).
func resolveVariant(in *EntryInput, info CardInfo) error {
	if in.Variant == nil {
		return nil
	}
	id, ok := MatchVariant(info.Variants, *in.Variant)
	if !ok {
		var f fieldErrs
		f.add("variant", "unknown variant for this card; known: "+strings.Join(VariantNames(info.Variants), ", "), "value_error")
		return f.err()
	}
	in.VariantID = &id
	return nil
}

// Update changes the given fields of the user's entry.
func (s *Service) Update(ctx context.Context, userID, id int64, r UpdateRequest) (Entry, error) {
	var f fieldErrs
	var p EntryPatch
	if r.Quantity != nil {
		validQuantity(&f, *r.Quantity)
		p.Quantity = r.Quantity
	}
	if r.Condition != nil {
		c, ok := ParseCondition(*r.Condition)
		if !ok {
			f.add("condition", "value is not a valid enumeration member; permitted: 'NM', 'LP', 'MP', 'HP', 'DMG'", "type_error.enum")
		}
		p.Condition = &c
	}
	if r.PricePaid != nil {
		m, ok := ToMinor(*r.PricePaid)
		if !ok {
			f.add("price_paid", "price_paid must be between 0 and 10000000", "value_error.number.not_in_range")
		}
		p.PricePaidMinor = &m
	}
	p.Graded = r.Graded
	if r.GradingCompany != nil {
		p.GradingCompany = normCompany(&f, *r.GradingCompany)
		if p.GradingCompany == nil {
			empty := ""
			p.GradingCompany = &empty
		}
	}
	if r.Grade != nil {
		validGrade(&f, *r.Grade)
		p.Grade = r.Grade
	}
	if r.Graded != nil && !*r.Graded {
		p.ClearGrade = true
	}
	if err := f.err(); err != nil {
		return Entry{}, err
	}
	if r.Variant != nil {
		v := strings.TrimSpace(*r.Variant)
		if v == "" {
			p.ClearVariant = true
		} else {
			cur, err := s.store.CollectionEntry(ctx, userID, id, DefaultValueCurrency)
			if err != nil {
				return Entry{}, err
			}
			info, err := s.store.CollectionCard(ctx, cur.CardID)
			if err != nil {
				return Entry{}, err
			}
			in := EntryInput{Variant: &v}
			if err := resolveVariant(&in, info); err != nil {
				return Entry{}, err
			}
			p.Variant, p.VariantID = in.Variant, in.VariantID
		}
	}
	if err := s.store.UpdateCollectionEntry(ctx, userID, id, p); err != nil {
		return Entry{}, fmt.Errorf("update entry: %w", err)
	}
	return s.store.CollectionEntry(ctx, userID, id, DefaultValueCurrency)
}

// Remove deletes the user's entry.
func (s *Service) Remove(ctx context.Context, userID, id int64) error {
	return s.store.DeleteCollectionEntry(ctx, userID, id)
}

// List pages the user's collection, valued in q.Currency.
func (s *Service) List(ctx context.Context, userID int64, q ListQuery) ([]Entry, int, error) {
	if q.Limit <= 0 || q.Limit > MaxListSize {
		q.Limit = 50
	}
	if q.Sort == "" {
		q.Sort = SortAdded
	}
	if q.Currency == "" {
		q.Currency = DefaultValueCurrency
	}
	return s.store.CollectionEntries(ctx, userID, q)
}

// ParseCurrency accepts EUR or USD (case-insensitive, "" = def).
func ParseCurrency(s, def string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch s {
	case "":
		return def, true
	case EUR, USD:
		return s, true
	}
	return "", false
}

// NumberKey finds a card by game slug (or alias; "" = any), set code and
// collector number, as collection-app exports name cards.
type NumberKey struct {
	Game, Set, Number string
}
