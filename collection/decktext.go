package collection

import (
	"bufio"
	"regexp"
	"strconv"
	"strings"
)

// Section is a part of a deck.
type Section string

// The deck sections.
const (
	SectionMain      Section = "main"
	SectionSideboard Section = "sideboard"
	SectionCommander Section = "commander"
)

// Sections lists the deck sections.
var Sections = []Section{SectionMain, SectionSideboard, SectionCommander}

// ParseSection accepts a section name ("" = main).
func ParseSection(s string) (Section, bool) {
	switch Section(strings.ToLower(strings.TrimSpace(s))) {
	case "", SectionMain:
		return SectionMain, true
	case SectionSideboard:
		return SectionSideboard, true
	case SectionCommander:
		return SectionCommander, true
	}
	return "", false
}

// Limits of a deck text import.
const (
	MaxDeckText      = 64 << 10
	MaxDeckLines     = 1000
	MaxCardsPerLine  = 999
	maxDeckLineBytes = 300
)

// DeckLine is one card line of a deck list.
type DeckLine struct {
	Line     int     `json:"line"`
	Quantity int     `json:"quantity"`
	Name     string  `json:"name"`
	Set      string  `json:"set,omitempty"`
	Number   string  `json:"number,omitempty"`
	Section  Section `json:"section"`
}

// BadLine is a line of a deck list that was not imported, and why.
type BadLine struct {
	Line   int    `json:"line"`
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

var (
	// "4 Lightning Bolt", "4x Lightning Bolt", "Lightning Bolt"
	qtyRE = regexp.MustCompile(`^(?:(\d{1,6})\s*[xX]?\s+)?(.+)$`)
	// "... (M10) 146", "... [M10] 146", "... (M10)"
	setNumRE = regexp.MustCompile(`^(.*?)\s+[\(\[]([A-Za-z0-9_-]{1,10})[\)\]](?:\s+([A-Za-z0-9★†/-]{1,12}))?$`)
	// trailing markers some apps add: "*F*", "*E*", "#tag"
	markerRE = regexp.MustCompile(`(\s+\*[A-Za-z]+\*|\s+#\S+)+$`)
)

// sectionHeader maps the section headers of common deck formats (MTG
// Arena, Moxfield, MTGO exports) to a section.
func sectionHeader(s string) (Section, bool) {
	h := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ":"))
	if i := strings.IndexByte(h, '('); i > 0 { // "Sideboard (15)"
		h = strings.TrimSpace(h[:i])
	}
	switch h {
	case "deck", "main", "mainboard", "main deck", "maindeck":
		return SectionMain, true
	case "sideboard", "side", "sb", "companion", "maybeboard":
		return SectionSideboard, true
	case "commander", "commanders":
		return SectionCommander, true
	}
	return "", false
}

// ParseDeckText reads a deck list, one card per line: "4 Lightning Bolt",
// "4x Lightning Bolt", "4 Lightning Bolt (M10) 146", "SB: 2 Duress", with
// section headers ("Deck", "Sideboard", "Commander"), blank lines and
// comments ("//", "#"). A blank line after main-deck cards starts the
// sideboard (the MTG Arena convention). Lines it cannot read are returned
// with a reason, never dropped.
func ParseDeckText(text string) ([]DeckLine, []BadLine) {
	var lines []DeckLine
	var bad []BadLine
	section := SectionMain
	sawHeader, sawCards, blankAfterCards := false, false, false
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), MaxDeckText+1)
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Text()
		s := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
		if n > MaxDeckLines {
			bad = append(bad, BadLine{Line: n, Text: clipText(s), Reason: "too many lines (at most 1000)"})
			break
		}
		if s == "" {
			if sawCards && !sawHeader && section == SectionMain {
				blankAfterCards = true
			}
			continue
		}
		if strings.HasPrefix(s, "//") || strings.HasPrefix(s, "#") {
			continue
		}
		if len(s) > maxDeckLineBytes {
			bad = append(bad, BadLine{Line: n, Text: clipText(s), Reason: "line too long"})
			continue
		}
		if sec, ok := sectionHeader(s); ok {
			section, sawHeader = sec, true
			continue
		}
		sec := section
		if blankAfterCards {
			sec, section = SectionSideboard, SectionSideboard
			blankAfterCards = false
		}
		if rest, ok := cutPrefixFold(s, "SB:"); ok {
			sec, s = SectionSideboard, strings.TrimSpace(rest)
		} else if rest, ok := cutPrefixFold(s, "CMDR:"); ok {
			sec, s = SectionCommander, strings.TrimSpace(rest)
		}
		l, reason := parseCardLine(s)
		if reason != "" {
			bad = append(bad, BadLine{Line: n, Text: clipText(strings.TrimSpace(raw)), Reason: reason})
			continue
		}
		l.Line, l.Section = n, sec
		lines = append(lines, l)
		sawCards = true
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, BadLine{Line: n + 1, Reason: "line too long"})
	}
	return lines, bad
}

// parseCardLine reads "[qty[x]] name [(SET) [number]]".
func parseCardLine(s string) (DeckLine, string) {
	s = markerRE.ReplaceAllString(s, "")
	m := qtyRE.FindStringSubmatch(s)
	if m == nil {
		return DeckLine{}, "not a card line"
	}
	l := DeckLine{Quantity: 1, Name: strings.TrimSpace(m[2])}
	if m[1] != "" {
		q, err := strconv.Atoi(m[1])
		if err != nil || q < 1 || q > MaxCardsPerLine {
			return DeckLine{}, "quantity must be between 1 and 999"
		}
		l.Quantity = q
	}
	if sm := setNumRE.FindStringSubmatch(l.Name); sm != nil {
		l.Name, l.Set, l.Number = strings.TrimSpace(sm[1]), sm[2], sm[3]
	}
	if l.Name == "" {
		return DeckLine{}, "no card name"
	}
	if _, err := strconv.Atoi(l.Name); err == nil {
		return DeckLine{}, "no card name"
	}
	return l, ""
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func clipText(s string) string {
	if r := []rune(s); len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return s
}
