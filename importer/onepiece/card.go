package onepiece

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/collectorstash/csm/catalog"
)

// recError is a failure of one record, located by the caller.
type recError struct {
	rec int
	msg string
}

// buildCard turns the records of one printed number into a card. Its name and
// rarity come from the base record when there is one, else from the first
// record with an English name (a set of reprints and parallels only).
func buildCard(g *group, recs []record, codes []cardCode) (catalog.ImportCard, *recError) {
	lead := g.recs[0]
	for _, i := range g.recs {
		if codes[i].kind == 0 {
			lead = i
			break
		}
	}
	if englishName(recs[lead]) == "" {
		for _, i := range g.recs {
			if englishName(recs[i]) != "" {
				lead = i
				break
			}
		}
	}
	name := englishName(recs[lead])
	if name == "" {
		name = strings.TrimSpace(recs[lead].NameJp)
	}
	c := catalog.ImportCard{
		Name:            name,
		CollectorNumber: g.number,
		Rarity:          rarityName(recs[lead].Rarity),
		CardType:        titleize(recs[lead].CardType),
	}
	promo := strings.HasPrefix(g.number, "P-")

	type variant struct {
		v          catalog.ImportVariant
		kind       byte
		index, rec int
	}
	byLang := map[string][]variant{}
	for _, i := range g.recs {
		r, cc := recs[i], codes[i]
		lang := "en"
		if englishName(r) == "" {
			lang = "ja" // listed on the Japanese card list only
		}
		v := catalog.ImportVariant{Finish: "normal", Label: "standard", PrintRarity: rarityName(r.Rarity)}
		switch cc.kind {
		case 'p':
			v.Finish, v.Label = "parallel", fmt.Sprintf("p%d", cc.index)
		case 'r':
			v.Label = fmt.Sprintf("r%d", cc.index)
		}
		for _, o := range byLang[lang] {
			if o.v.Finish == v.Finish && o.v.Label == v.Label {
				return c, &recError{rec: i, msg: fmt.Sprintf("card %q: second %s/%s variant (first in record %d)",
					strings.TrimSpace(r.CardCode), v.Finish, v.Label, o.rec+1)}
			}
		}
		byLang[lang] = append(byLang[lang], variant{v: v, kind: cc.kind, index: cc.index, rec: i})
	}
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	slices.Sort(langs) // "en" before "ja"
	for _, l := range langs {
		vs := byLang[l]
		slices.SortStableFunc(vs, func(a, b variant) int {
			return cmp.Or(cmp.Compare(kindRank(a.kind), kindRank(b.kind)), cmp.Compare(a.index, b.index))
		})
		p := catalog.ImportPrinting{Language: l, PrintRun: "unlimited", CollectorNumber: g.number, IsPromo: promo}
		for _, v := range vs {
			p.Variants = append(p.Variants, v.v)
		}
		c.Printings = append(c.Printings, p)
	}
	return c, nil
}

// kindRank orders base records, then reprints, then parallels.
func kindRank(k byte) int {
	switch k {
	case 0:
		return 0
	case 'r':
		return 1
	}
	return 2
}

// englishName returns a record's English name without the " (Parallel)" the
// card list appends to parallel arts.
func englishName(r record) string {
	n := strings.TrimSpace(r.NameEn)
	for {
		t := strings.TrimSpace(strings.TrimSuffix(n, "(Parallel)"))
		if t == n {
			return n
		}
		n = t
	}
}

// titleize turns "LEADER" into "Leader".
func titleize(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return strings.Join(words, " ")
}
