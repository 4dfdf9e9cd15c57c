package lorcana

import (
	"cmp"
	"regexp"
	"strconv"
	"strings"
)

// setNames names the sets the data refers to by code only. Main sets missing
// here are named by their code; promo sets by their code and "Promos".
var setNames = map[string]string{
	"tfc":    "The First Chapter",
	"rotf":   "Rise of the Floodborn",
	"iti":    "Into the Inklands",
	"urr":    "Ursula's Return",
	"ssk":    "Shimmering Skies",
	"azu":    "Azurite Sea",
	"arc":    "Archazia's Island",
	"roj":    "Reign of Jafar",
	"fab":    "Fabled",
	"whi":    "Whispers in the Well",
	"win":    "Winterspell",
	"wun":    "Wilds Unknown",
	"d23":    "D23 Promos",
	"dis":    "Disney100 Promos",
	"worlds": "World Championship Promos",
}

// numberRE splits a Ravensburger number: "1/204 EN 1", "24A/P2 EN 7".
var numberRE = regexp.MustCompile(`^(\S+)/(\S+) ([A-Z]{2}) (\S+)$`)

// printedNumber is a parsed Ravensburger number.
type printedNumber struct {
	number string // "1", "24A"
	of     string // "204" in a main set, "P2", "D23", … in a promo set
	setNo  string // the main set the card belongs to: "1"
	ok     bool
}

func parseNumber(s string) printedNumber {
	m := numberRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return printedNumber{}
	}
	return printedNumber{number: m[1], of: m[2], setNo: m[4], ok: true}
}

// setStats gathers what the variants say about a set: how its cards are
// numbered ("x/204" in a main set, "x/P1" in a promo set) and which main set
// number it has.
type setStats struct {
	of    map[string]int // denominator → variants
	setNo map[string]int // set number → variants
}

func (s *setStats) add(n printedNumber) {
	if s.of == nil {
		s.of, s.setNo = map[string]int{}, map[string]int{}
	}
	s.of[n.of]++ // "" when the number is missing or unparsable
	if n.ok {
		s.setNo[n.setNo]++
	}
}

// mostCommon returns the most frequent key of m, the smallest on ties.
func mostCommon(m map[string]int) string {
	best, bestN := "", 0
	for k, n := range m {
		if n > bestN || (n == bestN && k < best) {
			best, bestN = k, n
		}
	}
	return best
}

// setInfo is what the importer derives for one set code.
type setInfo struct {
	name   string
	promo  bool
	total  int
	number int // main set number, 0 for promos
}

// info derives a set's name, promo flag, size and number. A set is a promo set
// when its cards are mostly numbered against a non-numeric total ("P1",
// "D23"); a main set's size is that total ("204").
func (s *setStats) info(code string) setInfo {
	var si setInfo
	total, err := strconv.Atoi(mostCommon(s.of))
	if err != nil || total <= 0 {
		si.promo = true
	} else {
		si.total = total
		si.number, _ = strconv.Atoi(mostCommon(s.setNo))
	}
	si.name = setNames[code]
	if si.name == "" {
		si.name = strings.ToUpper(code)
		if si.promo {
			si.name += " Promos"
		}
	}
	return si
}

// compareSets orders main sets by number, then promo sets by code.
func compareSets(a, b setInfo, codeA, codeB string) int {
	if a.promo != b.promo {
		if a.promo {
			return 1
		}
		return -1
	}
	return cmp.Or(cmp.Compare(a.number, b.number), cmp.Compare(codeA, codeB))
}
