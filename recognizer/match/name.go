package match

import (
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// minTruncated is the shortest folded text (without spaces) that counts as
// a truncated reading of a longer name.
const minTruncated = 5

// NameSimilarity scores OCR text against a catalogue name in [0, 1]: 1 for
// the same name after Fold, about 1 − (edits / length) for a few misread
// characters (spaces ignored, since OCR adds and drops them), and a
// discounted prefix score when one string is a truncation of the other
// ("Sacred Noble Knight of" for "Sacred Noble Knight of King Artorigus").
// It is symmetric and 0 when either string has no letter or digit.
func NameSimilarity(ocr, name string) float64 {
	a := strings.ReplaceAll(Fold(ocr), " ", "")
	b := strings.ReplaceAll(Fold(name), " ", "")
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	whole := 1 - float64(levenshtein.ComputeDistance(a, b))/float64(max(la, lb))
	return clamp01(max(whole, truncated(a, b, la, lb)))
}

// truncated scores the shorter string against the start of the longer one,
// discounted by how much of the longer one it covers.
func truncated(a, b string, la, lb int) float64 {
	if la == lb {
		return 0 // not a truncation; also keeps the score symmetric
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if la < minTruncated || la*10 < lb*4 { // too short to tell, or under 40%
		return 0
	}
	best := 0.0
	rb := []rune(b)
	// The reading may stop a character early or late: try prefixes of the
	// longer string around the shorter one's length.
	for n := max(1, la-1); n <= min(lb, la+1); n++ {
		d := levenshtein.ComputeDistance(a, string(rb[:n]))
		best = max(best, 1-float64(d)/float64(max(la, n)))
	}
	cover := float64(la) / float64(lb)
	return best * (0.6 + 0.4*cover)
}

func clamp01(v float64) float64 {
	if v != v || v < 0 { // NaN or negative
		return 0
	}
	return min(v, 1)
}
