package onepiece

import (
	"cmp"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// rarities names the rarity codes of the card lists. Parallel records carry
// "P-" in front ("P-SR"); the variant's finish says "parallel" instead.
var rarities = map[string]string{
	"L":   "Leader",
	"C":   "Common",
	"UC":  "Uncommon",
	"R":   "Rare",
	"SR":  "Super Rare",
	"SEC": "Secret Rare",
	"SP":  "Special",
	"TR":  "Treasure Rare",
	"P":   "Promo",
}

// rarityName returns the name of a rarity code, the code itself when unknown.
func rarityName(code string) string {
	code = strings.TrimSpace(code)
	if code != "P" {
		code = strings.TrimPrefix(code, "P-")
	}
	code = strings.TrimSuffix(code, " CARD") // "SP CARD" in cards-official
	if n, ok := rarities[code]; ok {
		return n
	}
	return code
}

// series names the product line of a set code prefix.
var series = []struct{ prefix, name string }{
	{"PRB", "Premium Booster"},
	{"OP", "Booster Pack"},
	{"EB", "Extra Booster"},
	{"ST", "Starter Deck"},
}

// setCode turns a file name into a set code: "op01.json" → "OP01".
func setCode(file string) string {
	base := filepath.Base(file)
	return strings.ToUpper(strings.TrimSuffix(base, filepath.Ext(base)))
}

// setNameRE matches the English set names of the card lists:
// "-ROMANCE DAWN- [OP-01]", "-The Three Brothers' Bond-".
var setNameRE = regexp.MustCompile(`^-(.+)-(?:\s*\[[^\]]*\])?$`)

// setName picks the set's name: the most frequent English-style entry of the
// records' "sets" lists (errata notices and Japanese names lose), else the
// code.
func setName(code string, recs []record) string {
	freq := map[string]int{}
	var order []string
	for _, r := range recs {
		for _, s := range r.Sets {
			m := setNameRE.FindStringSubmatch(strings.TrimSpace(s))
			if m == nil {
				continue
			}
			name := strings.TrimSpace(m[1])
			if name == "" {
				continue
			}
			if freq[name] == 0 {
				order = append(order, name)
			}
			freq[name]++
		}
	}
	best := ""
	for _, n := range order {
		if freq[n] > freq[best] {
			best = n
		}
	}
	if best == "" {
		return code
	}
	return best
}

// group is one card of a set: the records sharing a printed number.
type group struct {
	number string
	recs   []int // indexes into the file's records
}

// ParseSet parses one set file (e.g. "op01.json") into its set: one card per
// printed number, parallels and reprints as its variants. Every malformed
// record is a catalog.EINVALID error naming file and line.
func ParseSet(file string, data []byte) (catalog.ImportSet, error) {
	s, err := parseSet(file, data)
	if err != nil {
		return catalog.ImportSet{}, fmt.Errorf("onepiece: parse set file: %w", err)
	}
	return s, nil
}

func parseSet(file string, data []byte) (catalog.ImportSet, error) {
	code := setCode(file)
	if code == "" {
		return catalog.ImportSet{}, importer.Errorf(file, 0, "file name gives no set code")
	}
	recs, err := decodeRecords(file, data)
	if err != nil {
		return catalog.ImportSet{}, err
	}
	fail := func(i int, format string, args ...any) error {
		return importer.Errorf(file, recordLine(data, i), format, args...)
	}
	s := catalog.ImportSet{Code: code, Name: setName(code, recs), Language: "en"}
	for _, x := range series {
		if strings.HasPrefix(code, x.prefix) {
			s.Series = x.name
			break
		}
	}

	codes := make([]cardCode, len(recs))
	seen := map[string]int{}
	byNumber := map[string]*group{}
	var groups []*group
	for i, r := range recs {
		cc := strings.TrimSpace(r.CardCode)
		if cc == "" {
			return catalog.ImportSet{}, fail(i, "record without cardCode")
		}
		if prev, dup := seen[strings.ToLower(cc)]; dup {
			return catalog.ImportSet{}, fail(i, "duplicate cardCode %q (first in record %d)", cc, prev+1)
		}
		seen[strings.ToLower(cc)] = i
		codes[i] = parseCardCode(cc)
		if codes[i].number == "" {
			return catalog.ImportSet{}, fail(i, "cardCode %q without a card number", cc)
		}
		if codes[i].kind == 0 && r.IsParallel {
			// A parallel without suffix: the index says which one.
			if r.ParallelIndex <= 0 {
				return catalog.ImportSet{}, fail(i, "parallel %q without parallelIndex", cc)
			}
			codes[i].kind, codes[i].index = 'p', r.ParallelIndex
		}
		if englishName(r) == "" && strings.TrimSpace(r.NameJp) == "" {
			return catalog.ImportSet{}, fail(i, "card %q without a name", cc)
		}
		g := byNumber[codes[i].number]
		if g == nil {
			g = &group{number: codes[i].number}
			byNumber[g.number] = g
			groups = append(groups, g)
		}
		g.recs = append(g.recs, i)
	}

	for _, g := range groups {
		c, err := buildCard(g, recs, codes)
		if err != nil {
			return catalog.ImportSet{}, fail(err.rec, "%s", err.msg)
		}
		s.Cards = append(s.Cards, c)
	}
	slices.SortStableFunc(s.Cards, func(a, b catalog.ImportCard) int {
		return cmp.Compare(a.CollectorNumber, b.CollectorNumber)
	})
	s.TotalCards = len(s.Cards)
	return s, nil
}
