package pokemon

import (
	"strings"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Set is one entry of sets/<lang>.json: the catalogue set (without cards)
// plus what the catalogue has no field for.
type Set struct {
	catalog.ImportSet
	// PTCGOCode is the Pokémon TCG Online code ("BS" for base1), "" if none.
	// Price sources that name sets by this code can map it to Code.
	PTCGOCode string
	// Line is the line of the set's entry in the sets file.
	Line int
}

// setJSON is the subset of a pokemontcg.io set the importer reads.
type setJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Series       string `json:"series"`
	PrintedTotal int    `json:"printedTotal"`
	Total        int    `json:"total"`
	PtcgoCode    string `json:"ptcgoCode"`
	ReleaseDate  string `json:"releaseDate"`
}

// ParseSets decodes a sets/<lang>.json file (data, named file in errors).
// Set ids must be unique and usable as file names; a release date that is
// not a date ("---") is dropped, a malformed one is an error. TotalCards is
// the printed total (the "/102" on the cards).
func ParseSets(file string, data []byte) ([]Set, error) {
	var sets []Set
	seen := map[string]int{}
	err := decodeArray(file, data, func(j *setJSON, line int) error {
		id := strings.TrimSpace(j.ID)
		if !validID(id) {
			return importer.Errorf(file, line, "set id %q: want letters, digits, '.', '_' or '-'", j.ID)
		}
		if prev, dup := seen[id]; dup {
			return importer.Errorf(file, line, "set id %q repeats the set of line %d", id, prev)
		}
		seen[id] = line
		name := strings.TrimSpace(j.Name)
		if name == "" {
			return importer.Errorf(file, line, "set %s: missing name", id)
		}
		date, err := importer.NormalizeDate(j.ReleaseDate)
		if err != nil {
			return importer.Errorf(file, line, "set %s: releaseDate: %v", id, err)
		}
		total := j.PrintedTotal
		if total <= 0 {
			total = max(j.Total, 0)
		}
		sets = append(sets, Set{
			ImportSet: catalog.ImportSet{
				Code:        id,
				Name:        name,
				Series:      strings.TrimSpace(j.Series),
				ReleaseDate: date,
				TotalCards:  total,
				IsPromo:     strings.Contains(strings.ToLower(name), "promo"),
				Language:    Language,
			},
			PTCGOCode: strings.TrimSpace(j.PtcgoCode),
			Line:      line,
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sets, nil
}

// validID reports whether id is a non-empty pokemontcg.io id safe to use as
// a file name: ASCII letters, digits, '.', '_' and '-', not starting with '.'.
func validID(id string) bool {
	if id == "" || id[0] == '.' || len(id) > 100 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
