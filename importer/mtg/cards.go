package mtg

import (
	"cmp"
	"slices"
	"strings"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Defaults of a card whose source names no print run or variant label.
const (
	PrintRunUnlimited = "unlimited"
	LabelStandard     = "standard"
)

// cardJSON is the subset of an MTGJSON card (one face of a card) the
// importer reads.
type cardJSON struct {
	Name         string `json:"name"`
	Number       string `json:"number"`
	Rarity       string `json:"rarity"`
	Type         string `json:"type"`
	UUID         string `json:"uuid"`
	Side         string `json:"side"`
	Language     string `json:"language"`
	IsOnlineOnly bool   `json:"isOnlineOnly"`
	IsPromo      bool   `json:"isPromo"`
	Finishes     []string
	HasFoil      bool `json:"hasFoil"`
	HasNonFoil   bool `json:"hasNonFoil"`
	Identifiers  struct {
		ScryfallID               flexID `json:"scryfallId"`
		TCGplayerProductID       flexID `json:"tcgplayerProductId"`
		TCGplayerEtchedProductID flexID `json:"tcgplayerEtchedProductId"`
		MCMID                    flexID `json:"mcmId"`
	} `json:"identifiers"`
	ForeignData []struct {
		Language string `json:"language"`
	} `json:"foreignData"`
	Legalities map[string]string `json:"legalities"`

	line int // line of the card in its file
}

// buildCards turns the card faces of a set into catalogue cards: faces that
// share (number, name) become one card, online-only faces are dropped. In a
// foreign-only set (Foreign Black Border) a card's printings are the
// languages of its foreignData rather than English.
func buildCards(file string, faces []cardJSON, foreignOnly bool) ([]catalog.ImportCard, error) {
	type key struct{ number, name string }
	var order []key
	groups := map[key][]cardJSON{}
	for _, f := range faces {
		if f.IsOnlineOnly {
			continue
		}
		f.Name = strings.TrimSpace(f.Name)
		f.Number = strings.TrimSpace(f.Number)
		if f.Name == "" {
			return nil, importer.Errorf(file, f.line, "card %q: missing name", f.UUID)
		}
		if f.Number == "" {
			return nil, importer.Errorf(file, f.line, "card %q: missing number", f.Name)
		}
		k := key{f.Number, f.Name}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	cards := make([]catalog.ImportCard, 0, len(order))
	for _, k := range order {
		cards = append(cards, buildCard(groups[k], foreignOnly))
	}
	return cards, nil
}

// buildCard merges the faces of one card, side "a" (or no side) first. The
// card carries the distinct identifiers of all faces (each face has its own
// MTGJSON uuid; the Scryfall, TCGplayer and Cardmarket ids are shared).
func buildCard(faces []cardJSON, foreignOnly bool) catalog.ImportCard {
	slices.SortStableFunc(faces, func(a, b cardJSON) int { return cmp.Compare(a.Side, b.Side) })
	first := faces[0]
	card := catalog.ImportCard{
		Name:            first.Name,
		CollectorNumber: first.Number,
		Rarity:          strings.TrimSpace(first.Rarity),
	}
	var types []string
	var xrefs [4][]string // mtgjson, scryfall, tcgplayer, cardmarket
	var etchedID string
	finishes := map[string]bool{}
	langs := map[string]bool{}
	promo := false
	for _, f := range faces {
		if t := strings.TrimSpace(f.Type); t != "" && !slices.Contains(types, t) {
			types = append(types, t)
		}
		if card.Rarity == "" {
			card.Rarity = strings.TrimSpace(f.Rarity)
		}
		ids := [4]string{
			strings.TrimSpace(f.UUID),
			strings.TrimSpace(string(f.Identifiers.ScryfallID)),
			numericID(f.Identifiers.TCGplayerProductID),
			numericID(f.Identifiers.MCMID),
		}
		for i, id := range ids {
			if id != "" && !slices.Contains(xrefs[i], id) {
				xrefs[i] = append(xrefs[i], id)
			}
		}
		if etchedID == "" {
			etchedID = numericID(f.Identifiers.TCGplayerEtchedProductID)
		}
		for _, fin := range faceFinishes(f) {
			finishes[fin] = true
		}
		for _, l := range faceLanguages(f, foreignOnly) {
			langs[l] = true
		}
		promo = promo || f.IsPromo
		for format, st := range f.Legalities {
			if format = strings.ToLower(strings.TrimSpace(format)); format != "" && st != "" {
				if card.Legalities == nil {
					card.Legalities = map[string]string{}
				}
				card.Legalities[format] = strings.TrimSpace(st)
			}
		}
	}
	card.CardType = strings.Join(types, " // ")
	for i, src := range []string{catalog.XRefMTGJSON, catalog.XRefScryfall, catalog.XRefTCGplayer, catalog.XRefCardmarket} {
		for _, id := range xrefs[i] {
			card.XRefs = append(card.XRefs, catalog.XRef{Source: src, ID: id})
		}
	}
	variants := make([]catalog.ImportVariant, 0, len(finishes))
	for _, fin := range sortedFinishes(finishes) {
		v := catalog.ImportVariant{Finish: fin, Label: LabelStandard, PrintRarity: card.Rarity}
		if fin == FinishEtched && etchedID != "" {
			v.XRefs = []catalog.XRef{{Source: catalog.XRefTCGplayer, ID: etchedID}}
		}
		variants = append(variants, v)
	}
	for _, lang := range sortedLanguages(langs) {
		card.Printings = append(card.Printings, catalog.ImportPrinting{
			Language:        lang,
			PrintRun:        PrintRunUnlimited,
			CollectorNumber: card.CollectorNumber,
			IsPromo:         promo,
			Variants:        slices.Clone(variants),
		})
	}
	return card
}

// numericID returns id trimmed when it is all digits (TCGplayer and
// Cardmarket ids are integers), else "".
func numericID(id flexID) string {
	s := strings.TrimSpace(string(id))
	if s == "" || len(s) > 18 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ""
		}
	}
	return s
}
