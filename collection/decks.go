package collection

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Deck is a deck with (on reads of one deck) its cards and value.
type Deck struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"-"`
	Owner     string     `json:"owner"`
	Name      string     `json:"name"`
	TCGSlug   string     `json:"tcg_slug"`
	Format    *string    `json:"format"`
	IsPublic  bool       `json:"is_public"`
	CardCount int        `json:"card_count"`
	Cards     []DeckCard `json:"cards,omitempty"`
	Value     *DeckValue `json:"value,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// DeckCard is one card of a deck section.
type DeckCard struct {
	CardID    int64    `json:"card_id"`
	Name      string   `json:"name"`
	Section   Section  `json:"section"`
	Quantity  int      `json:"quantity"`
	CardType  string   `json:"card_type"`
	SetCode   string   `json:"set_code"`
	Number    string   `json:"collector_number"`
	UnitPrice *float64 `json:"unit_price"`
	ImageURL  *string  `json:"image_url"`
}

// DeckValue is the sum of the deck's current market prices.
type DeckValue struct {
	TotalValue float64             `json:"total_value"`
	Currency   string              `json:"currency"`
	BySection  map[Section]float64 `json:"by_section"`
	Priced     int                 `json:"priced_cards"`
	Unpriced   int                 `json:"unpriced_cards"`
}

// NewDeck is a validated deck to create.
type NewDeck struct {
	Name     string
	Game     string // canonical game slug
	Format   *string
	IsPublic bool
}

// DeckPatch changes a deck (nil: unchanged; Format "" clears).
type DeckPatch struct {
	Name     *string
	Format   *string
	IsPublic *bool
}

// DeckStore keeps decks. Writes are scoped to the owner (another user's
// deck is ENOTFOUND); Deck reads any deck, the service checks access.
type DeckStore interface {
	// DeckGameSlug resolves a game slug or alias to the canonical slug
	// (ENOTFOUND when unknown).
	DeckGameSlug(ctx context.Context, slug string) (string, error)
	CreateDeck(ctx context.Context, userID int64, d NewDeck) (int64, error)
	Decks(ctx context.Context, userID int64) ([]Deck, error)
	Deck(ctx context.Context, id int64, currency string) (Deck, error)
	UpdateDeck(ctx context.Context, userID, id int64, p DeckPatch) error
	DeleteDeck(ctx context.Context, userID, id int64) error
	// AddDeckCards adds quantities to the deck's cards in one transaction.
	AddDeckCards(ctx context.Context, userID, deckID int64, cards []DeckCard) error
	// RemoveDeckCard removes quantity (0 = all) of a card from a section.
	RemoveDeckCard(ctx context.Context, userID, deckID, cardID int64, section Section, quantity int) error
	// CardLegalities returns each card's status in format ("Legal",
	// "Banned", "Restricted", "Not Legal"; absent = no data).
	CardLegalities(ctx context.Context, cardIDs []int64, format string) (map[int64]string, error)
}

// Limits of decks.
const (
	MaxDeckName  = 100
	MaxDeckCards = 999
	MaxDecks     = 500
)

// DeckRequest is the body of POST /decks (and of a rename/update, where
// every field is optional).
type DeckRequest struct {
	Name     *string `json:"name"`
	TCGSlug  *string `json:"tcg_slug"`
	Format   *string `json:"format"`
	IsPublic *bool   `json:"is_public"`
}

func checkName(f *fieldErrs, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		f.add("name", "field required", "value_error.missing")
	} else if len([]rune(s)) > MaxDeckName {
		f.add("name", "ensure this value has at most 100 characters", "value_error.any_str.max_length")
	}
	return s
}

func checkFormat(f *fieldErrs, s string) *string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return nil
	}
	if len(s) > 40 {
		f.add("format", "ensure this value has at most 40 characters", "value_error.any_str.max_length")
	}
	return &s
}

// CreateDeck creates a deck of the user's.
func (s *Service) CreateDeck(ctx context.Context, userID int64, r DeckRequest) (Deck, error) {
	var f fieldErrs
	var d NewDeck
	if r.Name == nil {
		f.add("name", "field required", "value_error.missing")
	} else {
		d.Name = checkName(&f, *r.Name)
	}
	if r.TCGSlug == nil || strings.TrimSpace(*r.TCGSlug) == "" {
		f.add("tcg_slug", "field required", "value_error.missing")
	}
	if r.Format != nil {
		d.Format = checkFormat(&f, *r.Format)
	}
	if r.IsPublic != nil {
		d.IsPublic = *r.IsPublic
	}
	if err := f.err(); err != nil {
		return Deck{}, err
	}
	game, err := s.gameSlug(ctx, *r.TCGSlug)
	if err != nil {
		return Deck{}, err
	}
	d.Game = game
	id, err := s.store.CreateDeck(ctx, userID, d)
	if err != nil {
		return Deck{}, fmt.Errorf("create deck: %w", err)
	}
	return s.store.Deck(ctx, id, DefaultValueCurrency)
}

// gameSlug resolves a tcg_slug; an unknown one is a 422 on tcg_slug.
func (s *Service) gameSlug(ctx context.Context, slug string) (string, error) {
	g, err := s.store.DeckGameSlug(ctx, strings.ToLower(strings.TrimSpace(slug)))
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		var f fieldErrs
		f.add("tcg_slug", "unknown tcg_slug", "value_error")
		return "", f.err()
	}
	return g, err
}

// Decks lists the user's decks, newest first.
func (s *Service) Decks(ctx context.Context, userID int64) ([]Deck, error) {
	return s.store.Decks(ctx, userID)
}

// Deck returns a deck with its cards and value to its owner, or to anyone
// when it is public (the share link); otherwise ENOTFOUND.
func (s *Service) Deck(ctx context.Context, viewerID, id int64, currency string) (Deck, error) {
	if currency == "" {
		currency = DefaultValueCurrency
	}
	d, err := s.store.Deck(ctx, id, currency)
	if err != nil {
		return Deck{}, err
	}
	if d.UserID != viewerID && !d.IsPublic {
		return Deck{}, catalog.Errorf(catalog.ENOTFOUND, "Deck not found")
	}
	v := deckValue(d.Cards, currency)
	d.Value = &v
	return d, nil
}

// deckValue sums unit prices × quantities.
func deckValue(cards []DeckCard, currency string) DeckValue {
	v := DeckValue{Currency: currency, BySection: map[Section]float64{}}
	var total int64
	by := map[Section]int64{}
	for _, c := range cards {
		if c.UnitPrice == nil {
			v.Unpriced += c.Quantity
			continue
		}
		m, _ := ToMinor(*c.UnitPrice)
		total += m * int64(c.Quantity)
		by[c.Section] += m * int64(c.Quantity)
		v.Priced += c.Quantity
	}
	v.TotalValue = FromMinor(total)
	for k, m := range by {
		v.BySection[k] = FromMinor(m)
	}
	return v
}

// DeckValue is the value of a deck the viewer may read.
func (s *Service) DeckValue(ctx context.Context, viewerID, id int64, currency string) (DeckValue, error) {
	d, err := s.Deck(ctx, viewerID, id, currency)
	if err != nil {
		return DeckValue{}, err
	}
	return *d.Value, nil
}

// UpdateDeck renames a deck or changes its format or sharing.
func (s *Service) UpdateDeck(ctx context.Context, userID, id int64, r DeckRequest) (Deck, error) {
	var f fieldErrs
	var p DeckPatch
	if r.Name != nil {
		n := checkName(&f, *r.Name)
		p.Name = &n
	}
	if r.Format != nil {
		p.Format = checkFormat(&f, *r.Format)
		if p.Format == nil {
			empty := ""
			p.Format = &empty
		}
	}
	p.IsPublic = r.IsPublic
	if r.TCGSlug != nil {
		f.add("tcg_slug", "a deck's game cannot change", "value_error")
	}
	if err := f.err(); err != nil {
		return Deck{}, err
	}
	if err := s.store.UpdateDeck(ctx, userID, id, p); err != nil {
		return Deck{}, fmt.Errorf("update deck: %w", err)
	}
	return s.Deck(ctx, userID, id, DefaultValueCurrency)
}

// DeleteDeck deletes the user's deck.
func (s *Service) DeleteDeck(ctx context.Context, userID, id int64) error {
	return s.store.DeleteDeck(ctx, userID, id)
}

// DeckCardRequest is the body of POST /decks/{id}/cards.
type DeckCardRequest struct {
	CardID   int64   `json:"card_id"`
	Quantity *int    `json:"quantity"`
	Section  *string `json:"section"`
}

// AddDeckCard adds quantity copies of a card of the deck's game.
func (s *Service) AddDeckCard(ctx context.Context, userID, deckID int64, r DeckCardRequest) (Deck, error) {
	var f fieldErrs
	c := DeckCard{CardID: r.CardID, Quantity: 1, Section: SectionMain}
	if r.CardID <= 0 {
		f.add("card_id", "field required", "value_error.missing")
	}
	if r.Quantity != nil {
		c.Quantity = *r.Quantity
		if c.Quantity < 1 || c.Quantity > MaxDeckCards {
			f.add("quantity", "ensure this value is between 1 and 999", "value_error.number.not_in_range")
		}
	}
	if r.Section != nil {
		sec, ok := ParseSection(*r.Section)
		if !ok {
			f.add("section", "value is not a valid enumeration member; permitted: 'main', 'sideboard', 'commander'", "type_error.enum")
		}
		c.Section = sec
	}
	if err := f.err(); err != nil {
		return Deck{}, err
	}
	d, err := s.ownDeck(ctx, userID, deckID)
	if err != nil {
		return Deck{}, err
	}
	info, err := s.store.CollectionCard(ctx, r.CardID)
	if err != nil {
		return Deck{}, err
	}
	if info.GameSlug != d.TCGSlug {
		f.add("card_id", "card is not a "+d.TCGSlug+" card", "value_error")
		return Deck{}, f.err()
	}
	if err := s.store.AddDeckCards(ctx, userID, deckID, []DeckCard{c}); err != nil {
		return Deck{}, fmt.Errorf("add deck card: %w", err)
	}
	return s.Deck(ctx, userID, deckID, DefaultValueCurrency)
}

// RemoveDeckCard removes quantity copies (0 = all) of a card from a
// section of the user's deck.
func (s *Service) RemoveDeckCard(ctx context.Context, userID, deckID, cardID int64, section Section, quantity int) (Deck, error) {
	if err := s.store.RemoveDeckCard(ctx, userID, deckID, cardID, section, quantity); err != nil {
		return Deck{}, err
	}
	return s.Deck(ctx, userID, deckID, DefaultValueCurrency)
}

// ownDeck reads a deck that must be the user's.
func (s *Service) ownDeck(ctx context.Context, userID, id int64) (Deck, error) {
	d, err := s.store.Deck(ctx, id, DefaultValueCurrency)
	if err != nil {
		return Deck{}, err
	}
	if d.UserID != userID {
		return Deck{}, catalog.Errorf(catalog.ENOTFOUND, "Deck not found")
	}
	return d, nil
}

// ImportRequest is the body of POST /decks/import: a deck list for a new
// deck (name, format, is_public optional) or, with deck_id, added to one
// of the user's decks.
type ImportRequest struct {
	TCGSlug  *string `json:"tcg_slug"`
	Text     *string `json:"text"`
	Name     *string `json:"name"`
	Format   *string `json:"format"`
	IsPublic *bool   `json:"is_public"`
	DeckID   *int64  `json:"deck_id"`
}

// ImportResult is the outcome of a deck text import.
type ImportResult struct {
	Deck     Deck      `json:"deck"`
	Imported int       `json:"imported"`
	Unknown  []BadLine `json:"unknown"`
}

// ImportDeck parses a deck list, resolves each line to a card of the game
// (by set code and collector number when given, else by name) and adds
// them; lines it cannot read or resolve are reported back in Unknown.
// When no line resolves nothing is written (422).
func (s *Service) ImportDeck(ctx context.Context, userID int64, r ImportRequest) (ImportResult, error) {
	var f fieldErrs
	if r.Text == nil || strings.TrimSpace(*r.Text) == "" {
		f.add("text", "field required", "value_error.missing")
	} else if len(*r.Text) > MaxDeckText {
		f.add("text", "ensure this value has at most 65536 characters", "value_error.any_str.max_length")
	}
	if r.DeckID == nil && (r.TCGSlug == nil || strings.TrimSpace(*r.TCGSlug) == "") {
		f.add("tcg_slug", "field required", "value_error.missing")
	}
	if err := f.err(); err != nil {
		return ImportResult{}, err
	}
	var game string
	var err error
	var target Deck
	if r.DeckID != nil {
		if target, err = s.ownDeck(ctx, userID, *r.DeckID); err != nil {
			return ImportResult{}, err
		}
		game = target.TCGSlug
	} else if game, err = s.gameSlug(ctx, *r.TCGSlug); err != nil {
		return ImportResult{}, err
	}
	lines, bad := ParseDeckText(*r.Text)
	cards, unknown, err := s.resolveDeckLines(ctx, game, lines)
	if err != nil {
		return ImportResult{}, err
	}
	bad = append(bad, unknown...)
	sortBad(bad)
	if len(cards) == 0 {
		return ImportResult{}, &catalog.Error{Code: catalog.EVALIDATION, Message: "text: no card line could be imported",
			Fields: badFields(bad)}
	}
	if r.DeckID == nil {
		name := "Imported deck"
		if r.Name != nil && strings.TrimSpace(*r.Name) != "" {
			name = *r.Name
		}
		d, err := s.CreateDeck(ctx, userID, DeckRequest{Name: &name, TCGSlug: &game, Format: r.Format, IsPublic: r.IsPublic})
		if err != nil {
			return ImportResult{}, err
		}
		target = d
	}
	if err := s.store.AddDeckCards(ctx, userID, target.ID, cards); err != nil {
		return ImportResult{}, fmt.Errorf("import deck: %w", err)
	}
	d, err := s.Deck(ctx, userID, target.ID, DefaultValueCurrency)
	if err != nil {
		return ImportResult{}, err
	}
	n := 0
	for _, c := range cards {
		n += c.Quantity
	}
	if bad == nil {
		bad = []BadLine{}
	}
	return ImportResult{Deck: d, Imported: n, Unknown: bad}, nil
}

func sortBad(b []BadLine) {
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && b[j].Line < b[j-1].Line; j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
}

func badFields(b []BadLine) []catalog.FieldError {
	out := []catalog.FieldError{}
	for _, l := range b {
		out = append(out, catalog.FieldError{Loc: []string{"body", "text", "line " + itoa(l.Line)},
			Msg: l.Reason + ": " + l.Text, Type: "value_error"})
	}
	if len(out) == 0 {
		out = append(out, catalog.FieldError{Loc: []string{"body", "text"}, Msg: "no card lines", Type: "value_error"})
	}
	return out
}

// resolveDeckLines maps parsed lines to cards of game: set + number
// first, then the name.
func (s *Service) resolveDeckLines(ctx context.Context, game string, lines []DeckLine) ([]DeckCard, []BadLine, error) {
	var keys []NumberKey
	for _, l := range lines {
		if l.Set != "" && l.Number != "" {
			keys = append(keys, NumberKey{Game: game, Set: l.Set, Number: l.Number})
		}
	}
	byNum, err := s.store.CollectionCardsByNumber(ctx, keys)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	seen := map[string]bool{}
	for _, l := range lines {
		n := strings.ToLower(l.Name)
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	byName, err := s.store.CollectionCardsByName(ctx, game, names)
	if err != nil {
		return nil, nil, err
	}
	var cards []DeckCard
	var bad []BadLine
	for _, l := range lines {
		c, ok := byNum[NumberKey{Game: game, Set: strings.ToLower(l.Set), Number: strings.ToLower(l.Number)}]
		if !ok || l.Set == "" {
			c, ok = byName[strings.ToLower(l.Name)]
		}
		if !ok {
			bad = append(bad, BadLine{Line: l.Line, Text: lineText(l), Reason: "unknown card"})
			continue
		}
		cards = append(cards, DeckCard{CardID: c.ID, Quantity: l.Quantity, Section: l.Section})
	}
	return cards, bad, nil
}

func lineText(l DeckLine) string {
	s := itoa(l.Quantity) + " " + l.Name
	if l.Set != "" {
		s += " (" + l.Set + ")"
		if l.Number != "" {
			s += " " + l.Number
		}
	}
	return s
}
