package fab

import (
	"strings"
	"time"

	"github.com/collectorstash/csm/importer"
)

// setRow is one row of set.csv. Identifiers are not unique upstream: "History
// Pack 1" and "History Pack 1 – Black Label" are both 1HP.
type setRow struct {
	uid, code, name string
}

// setIndex resolves the set of a card printing and the release date of a set
// code from set.csv and set-printing.csv.
type setIndex struct {
	rows      map[string]setRow // by Unique ID
	firstName map[string]string // code → name of its first set.csv row
	order     map[string]int    // code → row of its first appearance in set.csv
	printing  map[string]string // set-printing Unique ID → set Unique ID
	release   map[string]string // code → earliest release date (YYYY-MM-DD)
}

// readSets parses set.csv and set-printing.csv.
func readSets(setData, printingData []byte) (*setIndex, error) {
	st, err := readTable(SetFile, setData, "Unique ID", "Identifier", "Name")
	if err != nil {
		return nil, err
	}
	idx := &setIndex{
		rows:      make(map[string]setRow, len(st.rows)),
		firstName: map[string]string{},
		order:     map[string]int{},
		printing:  map[string]string{},
		release:   map[string]string{},
	}
	for i, rec := range st.rows {
		r := setRow{uid: st.get(rec, "Unique ID"), code: st.get(rec, "Identifier"), name: st.get(rec, "Name")}
		switch {
		case r.uid == "":
			return nil, importer.Errorf(SetFile, rec.line, "empty Unique ID")
		case r.code == "":
			return nil, importer.Errorf(SetFile, rec.line, "empty Identifier")
		case r.name == "":
			return nil, importer.Errorf(SetFile, rec.line, "empty Name")
		}
		if _, dup := idx.rows[r.uid]; dup {
			return nil, importer.Errorf(SetFile, rec.line, "duplicate Unique ID %q", r.uid)
		}
		idx.rows[r.uid] = r
		if _, seen := idx.order[r.code]; !seen {
			idx.order[r.code] = i
			idx.firstName[r.code] = r.name
		}
	}

	pt, err := readTable(SetPrintingFile, printingData, "Unique ID", "Set Unique ID", "Initial Release Date")
	if err != nil {
		return nil, err
	}
	for _, rec := range pt.rows {
		uid, setUID := pt.get(rec, "Unique ID"), pt.get(rec, "Set Unique ID")
		if uid == "" {
			return nil, importer.Errorf(SetPrintingFile, rec.line, "empty Unique ID")
		}
		s, ok := idx.rows[setUID]
		if !ok {
			return nil, importer.Errorf(SetPrintingFile, rec.line, "set %q not in %s", setUID, SetFile)
		}
		if _, dup := idx.printing[uid]; dup {
			return nil, importer.Errorf(SetPrintingFile, rec.line, "duplicate Unique ID %q", uid)
		}
		idx.printing[uid] = setUID
		date, err := parseDate(pt.get(rec, "Initial Release Date"))
		if err != nil {
			return nil, importer.Errorf(SetPrintingFile, rec.line, "Initial Release Date: %v", err)
		}
		if cur := idx.release[s.code]; date != "" && (cur == "" || date < cur) {
			idx.release[s.code] = date
		}
	}
	return idx, nil
}

// name returns the name of set code as seen from a card printing of set
// printing spUID: the set.csv row that set printing belongs to, else the first
// row with that identifier.
func (idx *setIndex) name(code, spUID string) (string, bool) {
	if r, ok := idx.rows[idx.printing[spUID]]; ok && r.code == code {
		return r.name, true
	}
	n, ok := idx.firstName[code]
	return n, ok
}

// parseDate turns "2023-02-24T00:00:00.000Z" (or "2023-02-24") into
// "2023-02-24"; "" stays "".
func parseDate(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	d, _, _ := strings.Cut(s, "T")
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return "", err
	}
	return d, nil
}
