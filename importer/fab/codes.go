package fab

import (
	"strings"
	"unicode"

	"github.com/collectorstash/csm/importer"
)

// Print runs of the edition codes of edition.csv. N ("no specified edition",
// promos and decks) is the set's one and only print, hence unlimited. Codes
// the table adds later get the slug of their name.
var printRuns = map[string]string{
	"A": "alpha",
	"F": "first_edition",
	"U": "unlimited",
	"N": "unlimited",
}

// Finishes of the foiling codes of foiling.csv; later codes get the slug of
// their name.
var finishes = map[string]string{
	"S": "normal",
	"R": "rainbow_foil",
	"C": "cold_foil",
	"G": "gold_cold_foil",
}

// codeTable maps the shorthand of a code table (edition.csv, foiling.csv,
// rarity.csv, art-variation.csv) to the catalogue value, keeping the table's
// row order for sorting.
type codeTable struct {
	file  string
	value map[string]string
	order map[string]int
}

// readCodes parses a two-column code table: "Shorthand" and nameCol. Each
// value is fixed[shorthand] when set, else the name as is, or its slug when
// slug is true.
func readCodes(file string, data []byte, nameCol string, fixed map[string]string, slug bool) (*codeTable, error) {
	t, err := readTable(file, data, "Shorthand", nameCol)
	if err != nil {
		return nil, err
	}
	ct := &codeTable{file: file, value: make(map[string]string, len(t.rows)), order: make(map[string]int, len(t.rows))}
	for i, rec := range t.rows {
		code, name := t.get(rec, "Shorthand"), t.get(rec, nameCol)
		if code == "" || name == "" {
			return nil, importer.Errorf(file, rec.line, "empty shorthand or %s", strings.ToLower(nameCol))
		}
		if _, dup := ct.value[code]; dup {
			return nil, importer.Errorf(file, rec.line, "duplicate shorthand %q", code)
		}
		v := name
		if f, ok := fixed[code]; ok {
			v = f
		} else if slug {
			v = slugify(name)
		}
		ct.value[code] = v
		ct.order[code] = i
	}
	return ct, nil
}

// slugify lowercases s and joins its words with underscores: "Gold Cold
// Foil" → "gold_cold_foil".
func slugify(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(words, "_")
}
