package onepiece

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/collectorstash/csm/importer"
)

// record is one entry of a set file: one card image of the card lists.
type record struct {
	Code          string   `json:"code"`
	CardCode      string   `json:"cardCode"`
	Rarity        string   `json:"rarity"`
	CardType      string   `json:"cardType"`
	NameEn        string   `json:"nameEn"`
	NameJp        string   `json:"nameJp"`
	IsParallel    bool     `json:"isParallel"`
	ParallelIndex int      `json:"parallelIndex"`
	Sets          []string `json:"sets"`
}

// decodeRecords decodes a set file: a JSON array of records.
func decodeRecords(file string, data []byte) ([]record, error) {
	var recs []record
	if err := importer.UnmarshalJSON(file, data, &recs); err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, importer.Errorf(file, 1, "no cards")
	}
	return recs, nil
}

// recordLine returns the line where element idx of the top-level JSON array
// in data starts (0 if data is not such an array). Only error paths call it.
func recordLine(data []byte, idx int) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return 0
	}
	for i := 0; dec.More(); i++ {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
			off++
		}
		if i == idx {
			return importer.LineAt(data, int64(off))
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return 0
		}
	}
	return 0
}

// suffixRE matches the card-list suffix of a card code: "_p1" for a parallel
// art, "_r1" for a reprint.
var suffixRE = regexp.MustCompile(`_([pPrR])(\d+)$`)

// cardCode is a parsed card code.
type cardCode struct {
	number string // printed number: "OP01-001"
	kind   byte   // 0 (base), 'p' (parallel) or 'r' (reprint)
	index  int    // 1 for "_p1"
}

func parseCardCode(s string) cardCode {
	s = strings.TrimSpace(s)
	m := suffixRE.FindStringSubmatchIndex(s)
	if m == nil {
		return cardCode{number: s}
	}
	n, err := strconv.Atoi(s[m[4]:m[5]])
	if err != nil {
		return cardCode{number: s} // too many digits to be a suffix
	}
	return cardCode{number: s[:m[0]], kind: strings.ToLower(s[m[2]:m[3]])[0], index: n}
}
