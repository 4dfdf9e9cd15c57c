package yugioh

import (
	"io"
	"strings"

	"github.com/collectorstash/csm/importer"
)

// Card is one record of cards.jsonl.
type Card struct {
	Name string
	// Passcode is the 8-digit-or-shorter number printed on the card (the
	// "number" field, also YGOProDeck's id); "" when the record has none
	// or it is not all digits.
	Passcode string
	// Type is Monster, Spell or Trap.
	Type string
	// Line is the record's line in cards.jsonl.
	Line int
}

// cardJSON is the subset of a YDM-Data card record the importer reads.
type cardJSON struct {
	Name   string `json:"name"`
	Number string `json:"number"`
	Type   string `json:"type"`
}

// ParseCards reads a cards.jsonl stream (named file in errors) and returns
// its cards by name; sets.jsonl refers to cards by name. A name listed twice
// keeps its first record.
func ParseCards(file string, r io.Reader) (map[string]Card, error) {
	cards := map[string]Card{}
	err := eachLine(file, r, func(line int, data []byte) error {
		var j cardJSON
		if err := decodeLine(file, line, data, &j); err != nil {
			return err
		}
		name := strings.TrimSpace(j.Name)
		if name == "" {
			return importer.Errorf(file, line, "card: missing name")
		}
		if _, dup := cards[name]; dup {
			return nil
		}
		cards[name] = Card{Name: name, Passcode: passcode(j.Number), Type: strings.TrimSpace(j.Type), Line: line}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cards, nil
}

// passcode returns s trimmed when it is 1 to 10 digits, else "".
func passcode(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 10 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ""
		}
	}
	return s
}
