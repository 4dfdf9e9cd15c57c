package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// YGOMeta is the YDM-Data Yu-Gi-Oh! catalogue (cards.jsonl, sets.jsonl):
// names by passcode and one English printing per name.
type YGOMeta struct {
	names    map[string]string // passcode → name
	printing map[string]YGOPrinting
	// SetCodes are every print-code prefix of the metadata, so synthetic
	// sets never reuse one.
	SetCodes map[string]bool
}

// YGOPrinting is a card's print code in one set.
type YGOPrinting struct {
	Name, Number, SetCode, SetName, date string
}

// LoadYGOMeta reads DIR/cards.jsonl and DIR/sets.jsonl.
func LoadYGOMeta(dir string) (*YGOMeta, error) {
	m := &YGOMeta{names: map[string]string{}, printing: map[string]YGOPrinting{}, SetCodes: map[string]bool{}}
	err := eachJSONL(filepath.Join(dir, "cards.jsonl"), func(data []byte) error {
		var c struct{ Name, Number string }
		if err := json.Unmarshal(data, &c); err != nil {
			return err
		}
		if c.Number != "" && c.Name != "" {
			if _, dup := m.names[c.Number]; !dup {
				m.names[c.Number] = c.Name
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachJSONL(filepath.Join(dir, "sets.jsonl"), func(data []byte) error {
		var s struct {
			Name, Date, Prefix string
			Cards              []struct {
				CardName  string `json:"card_name"`
				SetNumber string `json:"set_number"`
			}
		}
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		for _, c := range s.Cards {
			code, _, ok := strings.Cut(c.SetNumber, "-")
			if !ok || code == "" {
				continue
			}
			m.SetCodes[code] = true
			p := YGOPrinting{Name: c.CardName, Number: c.SetNumber, SetCode: code, SetName: s.Name, date: s.Date}
			if old, ok := m.printing[c.CardName]; !ok || better(p, old) {
				m.printing[c.CardName] = p
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// better prefers English print codes, then the earlier set.
func better(p, old YGOPrinting) bool {
	pe, oe := strings.Contains(p.Number, "-EN"), strings.Contains(old.Number, "-EN")
	if pe != oe {
		return pe
	}
	return p.date != "" && (old.date == "" || p.date < old.date)
}

// ByPasscode returns the name and a printing of a passcode (the name alone,
// with the passcode as number, when no set lists it).
func (m *YGOMeta) ByPasscode(passcode string) (YGOPrinting, bool) {
	name, ok := m.names[passcode]
	if !ok {
		return YGOPrinting{}, false
	}
	if p, ok := m.printing[name]; ok {
		return p, true
	}
	return YGOPrinting{Name: name, Number: passcode, SetCode: "YGO", SetName: "Yu-Gi-Oh! (no set)"}, true
}

func eachJSONL(path string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("ygo metadata: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		if err := fn(sc.Bytes()); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
