package yugioh

import (
	"io"
	"strings"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// PrintRunUnlimited is the print run of every printing: YDM-Data does not
// tell 1st Edition from Unlimited.
const PrintRunUnlimited = "unlimited"

// setJSON is the subset of a YDM-Data set record the importer reads.
type setJSON struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Date   string `json:"date"`
	Prefix string `json:"prefix"`
	Cards  []struct {
		CardName  string   `json:"card_name"`
		SetNumber string   `json:"set_number"`
		Rarities  []string `json:"rarities"`
	} `json:"cards"`
}

// ParseSets reads a sets.jsonl stream (named file in errors) and returns its
// sets, their cards named and typed through cards (from ParseCards; a card
// name missing there still yields a card, without type or passcode).
//
// Each (set_number, card name) of a set is one card with one printing whose
// variants are its rarities (label = rarity slug, see Finish and
// RarityLabel). Series is the set type ("Booster Pack", "Structure Deck");
// promo types ("… Promo Cards", "Shonen Jump", …) mark the set and its
// printings as promo. TotalCards is the number of distinct print codes.
func ParseSets(file string, r io.Reader, cards map[string]Card, opt Options) ([]catalog.ImportSet, error) {
	var sets []catalog.ImportSet
	var names []string
	images := &imageFinder{dir: opt.ImagesDir}
	err := eachLine(file, r, func(line int, data []byte) error {
		var j setJSON
		if err := decodeLine(file, line, data, &j); err != nil {
			return err
		}
		s, err := buildSet(file, line, &j, cards, images)
		if err != nil {
			return err
		}
		sets = append(sets, s)
		names = append(names, s.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, code := range uniqueCodes(names) {
		sets[i].Code = code
	}
	return sets, nil
}

// buildSet turns one set record into a catalogue set (without its Code).
func buildSet(file string, line int, j *setJSON, cards map[string]Card, images *imageFinder) (catalog.ImportSet, error) {
	name := strings.TrimSpace(j.Name)
	if name == "" {
		return catalog.ImportSet{}, importer.Errorf(file, line, "set: missing name")
	}
	date, err := importer.NormalizeDate(j.Date)
	if err != nil {
		return catalog.ImportSet{}, importer.Errorf(file, line, "set %q: date: %v", name, err)
	}
	typ := strings.TrimSpace(j.Type)
	set := catalog.ImportSet{
		Name:        name,
		Series:      typ,
		ReleaseDate: date,
		IsPromo:     isPromoType(typ),
		Language:    "en",
	}
	type key struct{ number, name string }
	at := map[key]int{}
	numbers := map[string]bool{}
	for _, e := range j.Cards {
		cardName := strings.TrimSpace(e.CardName)
		number := strings.TrimSpace(e.SetNumber)
		if cardName == "" {
			return set, importer.Errorf(file, line, "set %q: card %q: missing card_name", name, number)
		}
		if number == "" {
			return set, importer.Errorf(file, line, "set %q: card %q: missing set_number", name, cardName)
		}
		numbers[number] = true
		k := key{number, cardName}
		i, seen := at[k]
		if !seen {
			c, err := newCard(cardName, number, set.IsPromo, cards, images)
			if err != nil {
				return set, importer.Errorf(file, line, "set %q: card %q: %v", name, cardName, err)
			}
			i = len(set.Cards)
			at[k] = i
			set.Cards = append(set.Cards, c)
		}
		addRarities(&set.Cards[i], e.Rarities)
	}
	for i := range set.Cards {
		c := &set.Cards[i]
		if len(c.Printings[0].Variants) == 0 {
			addRarities(c, []string{""})
		}
		c.Rarity = c.Printings[0].Variants[0].PrintRarity
	}
	set.TotalCards = len(numbers)
	return set, nil
}

// newCard returns the card of one print code with an empty printing.
func newCard(name, number string, promo bool, cards map[string]Card, images *imageFinder) (catalog.ImportCard, error) {
	c := catalog.ImportCard{
		Name:            name,
		CollectorNumber: number,
		Printings: []catalog.ImportPrinting{{
			Language:        Language(number),
			PrintRun:        PrintRunUnlimited,
			CollectorNumber: number,
			IsPromo:         promo,
		}},
	}
	info, ok := cards[name]
	if !ok {
		return c, nil
	}
	c.CardType = info.Type
	if info.Passcode != "" {
		c.XRefs = []catalog.XRef{{Source: catalog.XRefYGOProDeck, ID: info.Passcode}}
	}
	img, err := images.find(info.Passcode)
	if err != nil {
		return c, err
	}
	if img != nil {
		c.Images = []catalog.ImportImage{*img}
	}
	return c, nil
}

// addRarities adds a variant per rarity not yet on the card's printing.
func addRarities(c *catalog.ImportCard, rarities []string) {
	p := &c.Printings[0]
	for _, r := range rarities {
		r = strings.TrimSpace(r)
		v := catalog.ImportVariant{Finish: Finish(r), Label: RarityLabel(r), PrintRarity: r}
		dup := false
		for _, o := range p.Variants {
			if o.Finish == v.Finish && o.Label == v.Label {
				dup = true
				break
			}
		}
		if !dup {
			p.Variants = append(p.Variants, v)
		}
	}
}

// isPromoType reports whether a YDM-Data set type is a promotional one.
func isPromoType(typ string) bool {
	t := strings.ToLower(typ)
	return strings.Contains(t, "promo") || strings.Contains(t, "shonen jump") ||
		strings.Contains(t, "sneak peek")
}
