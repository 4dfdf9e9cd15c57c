package collection

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// GameMTG is the slug of Magic: The Gathering, the game whose formats are
// checked.
const GameMTG = "magic-the-gathering"

// Legality is a deck's format check.
type Legality struct {
	Format string `json:"format"`
	Legal  bool   `json:"legal"`
	// Supported is false for the generic stub (other games, unknown
	// formats): Legal is then true and nothing was checked.
	Supported bool            `json:"supported"`
	DeckSize  int             `json:"deck_size"`
	Rules     *FormatRules    `json:"rules,omitempty"`
	Issues    []LegalityIssue `json:"issues"`
	Note      string          `json:"note,omitempty"`
}

// LegalityIssue is one reason a deck is not legal; CardID is set when a
// card is the reason.
type LegalityIssue struct {
	CardID *int64 `json:"card_id,omitempty"`
	Card   string `json:"card,omitempty"`
	Reason string `json:"reason"`
}

// FormatRules are a constructed format's deck rules.
type FormatRules struct {
	MinMain      int  `json:"min_main"`
	MaxMain      int  `json:"max_main,omitempty"` // 0 = no maximum
	MaxSideboard int  `json:"max_sideboard"`
	CopyLimit    int  `json:"copy_limit"`
	Commander    bool `json:"commander"`
	// Commanders bounds the commander section (1–2 with partners).
	MaxCommanders int `json:"max_commanders,omitempty"`
}

var (
	sixtyCard = FormatRules{MinMain: 60, MaxSideboard: 15, CopyLimit: 4}
	commander = FormatRules{MinMain: 100, MaxMain: 100, CopyLimit: 1, Commander: true, MaxCommanders: 2}
	brawl     = FormatRules{MinMain: 60, MaxMain: 60, CopyLimit: 1, Commander: true, MaxCommanders: 1}
)

// mtgFormats are the MTGJSON legality formats with their deck rules
// (deck sizes count the commander).
var mtgFormats = map[string]FormatRules{
	"standard": sixtyCard, "pioneer": sixtyCard, "modern": sixtyCard, "legacy": sixtyCard, "vintage": sixtyCard,
	"pauper": sixtyCard, "historic": sixtyCard, "explorer": sixtyCard, "alchemy": sixtyCard, "premodern": sixtyCard,
	"oldschool": sixtyCard, "future": sixtyCard, "timeless": sixtyCard, "gladiator": {MinMain: 100, MaxMain: 100, CopyLimit: 1},
	"penny": sixtyCard, "oathbreaker": {MinMain: 60, MaxMain: 60, CopyLimit: 1, Commander: true, MaxCommanders: 2},
	"commander": commander, "duel": commander, "paupercommander": commander, "predh": commander,
	"brawl": brawl, "historicbrawl": {MinMain: 100, MaxMain: 100, CopyLimit: 1, Commander: true, MaxCommanders: 1},
	"standardbrawl": brawl,
}

// MTGFormats lists the checked formats, sorted.
func MTGFormats() []string {
	out := make([]string, 0, len(mtgFormats))
	for f := range mtgFormats {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

var yearSuffix = regexp.MustCompile(`[-_ ]?\d{4}$`)

// normFormat maps "Standard-2024", "Pauper Commander" to MTGJSON's keys.
func normFormat(f string) string {
	f = strings.ToLower(strings.TrimSpace(f))
	f = yearSuffix.ReplaceAllString(f, "")
	f = strings.NewReplacer(" ", "", "-", "", "_", "").Replace(f)
	switch f {
	case "edh":
		return "commander"
	case "pdh":
		return "paupercommander"
	}
	return f
}

// unlimitedCopies reports cards any number of which a deck may hold:
// basic lands and the cards whose text says so.
func unlimitedCopies(c DeckCard) bool {
	t := strings.ToLower(c.CardType)
	if strings.Contains(t, "basic") && strings.Contains(t, "land") {
		return true
	}
	switch strings.ToLower(c.Name) {
	case "relentless rats", "rat colony", "shadowborn apostle", "persistent petitioners", "dragon's approach",
		"slime against humanity", "seven dwarves", "templar knight", "hare apparent", "cid, timeless artificer":
		return true
	}
	return false
}

// Legality checks a deck the viewer may read against format (the deck's
// own when format is ""). MTG decks get the card legalities of the
// imported MTGJSON data, the deck-size and sideboard limits, the copy
// limit (singleton for commander formats, 1 for restricted cards) and the
// commander section; other games get the generic stub.
func (s *Service) Legality(ctx context.Context, viewerID, deckID int64, format string) (Legality, error) {
	d, err := s.Deck(ctx, viewerID, deckID, DefaultValueCurrency)
	if err != nil {
		return Legality{}, err
	}
	if format == "" && d.Format != nil {
		format = *d.Format
	}
	size := 0
	for _, c := range d.Cards {
		if c.Section != SectionSideboard {
			size += c.Quantity
		}
	}
	out := Legality{Format: format, Legal: true, DeckSize: size, Issues: []LegalityIssue{}}
	if d.TCGSlug != GameMTG {
		out.Note = "Format legality is checked for Magic: The Gathering decks only; this is the generic stub."
		return out, nil
	}
	key := normFormat(format)
	rules, ok := mtgFormats[key]
	if !ok {
		out.Note = "Unknown format; checked formats: " + strings.Join(MTGFormats(), ", ")
		if format == "" {
			out.Note = "The deck has no format; pass ?format= (" + strings.Join(MTGFormats(), ", ") + ")"
		}
		return out, nil
	}
	ids := make([]int64, 0, len(d.Cards))
	for _, c := range d.Cards {
		ids = append(ids, c.CardID)
	}
	status, err := s.store.CardLegalities(ctx, ids, key)
	if err != nil {
		return Legality{}, err
	}
	out.Supported, out.Rules = true, &rules
	out.Issues = CheckDeck(d.Cards, key, rules, status)
	out.Legal = len(out.Issues) == 0
	return out, nil
}

// CheckDeck applies format's rules to cards; status holds each card's
// MTGJSON legality in the format.
func CheckDeck(cards []DeckCard, format string, r FormatRules, status map[int64]string) []LegalityIssue {
	issues := []LegalityIssue{}
	main, side, cmdr := 0, 0, 0
	copies := map[string]int{} // by name across sections
	firstID := map[string]int64{}
	for _, c := range cards {
		switch c.Section {
		case SectionSideboard:
			side += c.Quantity
		case SectionCommander:
			cmdr += c.Quantity
		default:
			main += c.Quantity
		}
		n := strings.ToLower(c.Name)
		copies[n] += c.Quantity
		if _, ok := firstID[n]; !ok {
			firstID[n] = c.CardID
		}
	}
	size := main + cmdr
	if !r.Commander && cmdr > 0 {
		issues = append(issues, LegalityIssue{Reason: format + " decks have no commander section"})
		size = main
	}
	switch {
	case size < r.MinMain && r.MaxMain == r.MinMain:
		issues = append(issues, LegalityIssue{Reason: "deck has " + strconv.Itoa(size) + " cards; " + format + " needs exactly " + strconv.Itoa(r.MinMain)})
	case size < r.MinMain:
		issues = append(issues, LegalityIssue{Reason: "deck has " + strconv.Itoa(size) + " cards; " + format + " needs at least " + strconv.Itoa(r.MinMain)})
	case r.MaxMain > 0 && size > r.MaxMain:
		issues = append(issues, LegalityIssue{Reason: "deck has " + strconv.Itoa(size) + " cards; " + format + " allows exactly " + strconv.Itoa(r.MaxMain)})
	}
	if r.Commander {
		if cmdr == 0 {
			issues = append(issues, LegalityIssue{Reason: format + " needs a commander"})
		} else if cmdr > r.MaxCommanders {
			issues = append(issues, LegalityIssue{Reason: strconv.Itoa(cmdr) + " commanders; " + format + " allows at most " + strconv.Itoa(r.MaxCommanders)})
		}
	} else if side > r.MaxSideboard {
		issues = append(issues, LegalityIssue{Reason: "sideboard has " + strconv.Itoa(side) + " cards; at most " + strconv.Itoa(r.MaxSideboard)})
	}
	reported := map[string]bool{}
	for _, c := range cards {
		n := strings.ToLower(c.Name)
		if reported[n] {
			continue
		}
		reported[n] = true
		id := firstID[n]
		st, known := status[id]
		for _, other := range cards { // any printing of the same name may carry the data
			if known {
				break
			}
			if strings.EqualFold(other.Name, c.Name) {
				st, known = status[other.CardID]
			}
		}
		issue := func(reason string) {
			cid := id
			issues = append(issues, LegalityIssue{CardID: &cid, Card: c.Name, Reason: reason})
		}
		switch {
		case !known:
			issue("not legal in " + format + " (no legality data for this card)")
			continue
		case strings.EqualFold(st, "Banned"):
			issue("banned in " + format)
			continue
		case strings.EqualFold(st, "Not Legal"):
			issue("not legal in " + format)
			continue
		}
		limit := r.CopyLimit
		if strings.EqualFold(st, "Restricted") {
			limit = 1
		}
		if unlimitedCopies(c) {
			continue
		}
		if copies[n] > limit {
			if limit == 1 && r.Commander {
				issue(strconv.Itoa(copies[n]) + " copies; " + format + " is singleton")
			} else if strings.EqualFold(st, "Restricted") {
				issue("restricted in " + format + ": " + strconv.Itoa(copies[n]) + " copies, 1 allowed")
			} else {
				issue(strconv.Itoa(copies[n]) + " copies; at most " + strconv.Itoa(limit))
			}
		}
	}
	return issues
}

func itoa(n int) string { return strconv.Itoa(n) }
