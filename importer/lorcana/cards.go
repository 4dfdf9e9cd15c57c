package lorcana

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// entry is one variant of one card, resolved to the set and number it becomes
// a catalogue card under.
type entry struct {
	card   *yCard
	v      *yVariant
	code   string // set code, lowercase as upstream
	number string
	name   string
}

// entries validates the cards of one set file and flattens them to one entry
// per variant, feeding stats.
func entries(file string, cards []yCard, stats map[string]*setStats) ([]entry, error) {
	var out []entry
	for i := range cards {
		c := &cards[i]
		en := c.Languages["en"]
		name := strings.TrimSpace(en.Name)
		if name == "" {
			return nil, importer.Errorf(file, c.Line, "card without an English name")
		}
		if t := strings.TrimSpace(en.Title); t != "" {
			name += " - " + t
		}
		if len(c.Variants) == 0 {
			return nil, importer.Errorf(file, c.Line, "card %q has no variants", name)
		}
		for j := range c.Variants {
			v := &c.Variants[j]
			code := strings.ToLower(strings.TrimSpace(v.Set))
			if code == "" {
				return nil, importer.Errorf(file, v.Line, "variant of %q without a set", name)
			}
			if v.ID == nil || *v.ID < 0 {
				return nil, importer.Errorf(file, v.Line, "variant of %q without an id", name)
			}
			number := strconv.Itoa(*v.ID) + strings.TrimSpace(v.Suffix)
			pn := parseNumber(v.Ravensburger["en"])
			if pn.ok && !isDigits(pn.of) && strings.ToLower(pn.of) != code {
				// The printed number names another promo set than the
				// set field ("43/P2 EN 3" filed under iti): trust the
				// card as printed.
				code, number = strings.ToLower(pn.of), pn.number
			}
			st := stats[code]
			if st == nil {
				st = &setStats{}
				stats[code] = st
			}
			st.add(pn)
			out = append(out, entry{card: c, v: v, code: code, number: number, name: name})
		}
	}
	return out, nil
}

// cardKey is the natural key of a card within its set.
type cardKey struct{ number, name string }

// build turns entries into sets. A variant listed twice (upstream lists fab
// #108 twice under one card) keeps its first listing.
func build(all []entry, stats map[string]*setStats) []catalog.ImportSet {
	infos := make(map[string]setInfo, len(stats))
	for code, st := range stats {
		infos[code] = st.info(code)
	}
	bySet := map[string]*catalog.ImportSet{}
	seen := map[string]map[cardKey]bool{}
	for _, e := range all {
		si := infos[e.code]
		s := bySet[e.code]
		if s == nil {
			s = &catalog.ImportSet{
				Code: strings.ToUpper(e.code), Name: si.name, TotalCards: si.total,
				IsPromo: si.promo, Language: "en",
			}
			bySet[e.code] = s
			seen[e.code] = map[cardKey]bool{}
		}
		k := cardKey{number: e.number, name: e.name}
		if seen[e.code][k] {
			continue
		}
		seen[e.code][k] = true
		s.Cards = append(s.Cards, card(e, si.promo))
	}
	codes := make([]string, 0, len(bySet))
	for code := range bySet {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b string) int { return compareSets(infos[a], infos[b], a, b) })
	out := make([]catalog.ImportSet, 0, len(codes))
	for _, code := range codes {
		s := bySet[code]
		slices.SortStableFunc(s.Cards, compareCards)
		out = append(out, *s)
	}
	return out
}

// foilOnly are the rarities printed in foil only.
var foilOnly = map[string]bool{"enchanted": true, "epic": true, "iconic": true}

// card builds the catalogue card of one entry.
func card(e entry, promo bool) catalog.ImportCard {
	rarity := strings.ToLower(strings.TrimSpace(e.v.Rarity))
	c := catalog.ImportCard{
		Name:            e.name,
		CollectorNumber: e.number,
		Rarity:          titleize(rarity),
		CardType:        cardType(e.card),
	}
	finishes := []string{"normal", "foil"}
	if promo || foilOnly[rarity] {
		finishes = []string{"foil"}
	}
	for _, lang := range languages(e) {
		p := catalog.ImportPrinting{
			Language:        lang,
			PrintRun:        "unlimited",
			CollectorNumber: printedAs(e, lang),
			IsPromo:         promo,
		}
		for _, f := range finishes {
			p.Variants = append(p.Variants, catalog.ImportVariant{Finish: f, Label: "standard", PrintRarity: c.Rarity})
		}
		c.Printings = append(c.Printings, p)
	}
	return c
}

// languages lists the languages a variant is printed in, English first: the
// languages the card has a name in and the variant a printed number for.
// English is always there (the card's name is English); a variant without
// numbers (a tournament prize) is English only.
func languages(e entry) []string {
	var langs []string
	for lang, l := range e.card.Languages {
		if lang == "en" || strings.TrimSpace(l.Name) == "" || strings.TrimSpace(e.v.Ravensburger[lang]) == "" {
			continue
		}
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	return append([]string{"en"}, langs...)
}

// printedAs returns the number printed on the card in lang: Ravensburger's
// number for that language, else the set number.
func printedAs(e entry, lang string) string {
	if n := strings.TrimSpace(e.v.Ravensburger[lang]); n != "" {
		return n
	}
	return e.number
}

// cardType names a card's type: "Character", "Action", "Action - Song",
// "Item", "Location".
func cardType(c *yCard) string {
	t := strings.ToLower(strings.TrimSpace(c.Type))
	switch t {
	case "glimmer", "character":
		return "Character"
	case "action":
		if slices.Contains(c.Classifications, "song") {
			return "Action - Song"
		}
	}
	return titleize(t)
}

// titleize turns "super_rare" into "Super Rare".
func titleize(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' || unicode.IsSpace(r) })
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return strings.Join(words, " ")
}

// compareCards orders cards by the numeric part of their number, then the
// number, then the name: 1, 2, 4a, 4b, 10, 205.
func compareCards(a, b catalog.ImportCard) int {
	return cmp.Or(
		cmp.Compare(leadingInt(a.CollectorNumber), leadingInt(b.CollectorNumber)),
		cmp.Compare(a.CollectorNumber, b.CollectorNumber),
		cmp.Compare(a.Name, b.Name),
	)
}

func leadingInt(s string) int {
	end := 0
	for end < len(s) && end < 9 && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
