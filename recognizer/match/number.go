package match

import (
	"strings"
	"unicode"

	"github.com/agnivade/levenshtein"
)

// Scores of partial number agreement.
const (
	// OtherSet is the score of the same number in another set
	// (LOB-EN001 vs SDY-EN001, OP01-001 vs OP02-001).
	OtherSet = 0.5
	// missingPart multiplies the score when one side lacks a part the other
	// has: a set total ("4/102" vs "4") or a set prefix.
	missingPart = 0.85
	// otherTotal multiplies it when the set totals differ (4/102 vs 4/130).
	otherTotal = 0.6
	// otherRegion multiplies it when the print regions differ (LOB-EN001
	// vs LOB-DE001: the same card in another language).
	otherRegion = 0.8
	// otherVariant multiplies it when letter suffixes differ (4a vs 4b).
	otherVariant = 0.6
	// misread caps the score of numbers whose digits differ: a misread
	// digit, maybe, but not the same card.
	misread = 0.4
)

// number is a collector number or print code in parts: LOB-EN001 is set
// LOB, region EN, digits 1; 4/102 is digits 4, total 102; SV049/SV122 is
// set SV, digits 49, total 122; OP01-001 is set OP01, digits 1; 4a is
// digits 4, variant A.
type number struct {
	set, region, digits, variant, total string
	printed                             string // digits as printed, zeros kept
}

// parseNumber splits a normalised number; ok is false without any digit.
func parseNumber(s string) (number, bool) {
	main, rest, hasTotal := strings.Cut(s, "/")
	var n number
	if hasTotal {
		n.total = trimZeros(firstDigits(rest))
	}
	end := strings.LastIndexFunc(main, unicode.IsDigit) + 1
	if end == 0 {
		return n, false
	}
	start := end
	for start > 0 && unicode.IsDigit(rune(main[start-1])) {
		start--
	}
	n.printed = main[start:end]
	n.digits = trimZeros(n.printed)
	n.variant = strings.TrimFunc(main[end:], func(r rune) bool { return !unicode.IsLetter(r) })
	prefix := strings.Trim(main[:start], "- ")
	if set, region, ok := strings.Cut(prefix, "-"); ok {
		n.set, n.region = strings.Trim(set, " "), strings.Trim(region, "- ")
	} else {
		n.set = prefix
	}
	return n, true
}

// normNumber upper-cases s, unifies dashes and drops spaces, '#' and the
// separators of "1/204 • EN • 1".
func normNumber(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '—' || r == '–' || r == '‐' || r == '_':
			b.WriteByte('-')
		case r == '-' || r == '/' || r < utf8RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '•' || r == '·':
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

const utf8RuneSelf = 0x80

func firstDigits(s string) string {
	i := strings.IndexFunc(s, unicode.IsDigit)
	if i < 0 {
		return ""
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	return s[i:j]
}

func zeroPad(s string, w int) string {
	return strings.Repeat("0", max(0, w-len(s))) + s
}

func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" && s != "" {
		return "0"
	}
	return t
}

// NumberSimilarity scores an OCR'd number against a catalogue number of
// game in [0, 1]. Numbers equal after normalisation (case, dashes, spaces,
// leading zeros) score 1; the same number with a part missing on one side
// ("4/102" vs "4") scores 0.85; the same number in another set
// (LOB-EN001 vs SDY-EN001) 0.5; another region or set total lower still;
// different digits at most 0.4 scaled by how close the digits are. The
// rules hold for every game's numbering (Yu-Gi-Oh! print codes, Pokémon
// "n/total", One Piece and Flesh and Blood set-prefixed ids, MTG and Lorcana
// numbers), so game is not needed yet; it is part of the signature for
// game-specific rules.
// It is symmetric and 0 when either side has no digit.
func NumberSimilarity(ocr, num, game string) float64 {
	_ = game
	a, b := normNumber(ocr), normNumber(num)
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	pa, okA := parseNumber(a)
	pb, okB := parseNumber(b)
	if !okA || !okB {
		return 0
	}
	if pa.digits != pb.digits {
		// Compare as printed, padded to one width: 001 vs 007 is one
		// misread digit out of three.
		w := max(len(pa.printed), len(pb.printed))
		x, y := zeroPad(pa.printed, w), zeroPad(pb.printed, w)
		close := 1 - float64(levenshtein.ComputeDistance(x, y))/float64(w)
		return clamp01(misread * close * partScore(pa.set, pb.set, OtherSet))
	}
	score := partScore(pa.set, pb.set, OtherSet)
	score *= partScore(pa.total, pb.total, otherTotal)
	score *= partScore(pa.region, pb.region, otherRegion)
	if pa.variant != pb.variant {
		score *= otherVariant
	}
	return clamp01(score)
}

// partScore is 1 for equal parts, missingPart when only one side has the
// part, differ when both have it and it differs.
func partScore(x, y string, differ float64) float64 {
	switch {
	case x == y:
		return 1
	case x == "" || y == "":
		return missingPart
	default:
		return differ
	}
}
