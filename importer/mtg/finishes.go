package mtg

import (
	"cmp"
	"slices"
	"strings"
)

// Catalogue finishes of MTGJSON's "nonfoil", "foil" and "etched".
const (
	FinishNormal = "normal"
	FinishFoil   = "foil"
	FinishEtched = "etched"
)

// finishRank orders the known finishes; others sort by name after them.
var finishRank = map[string]int{FinishNormal: 1, FinishFoil: 2, FinishEtched: 3}

// faceFinishes returns the catalogue finishes of a card face: its finishes
// list (nonfoil → normal; others lower-cased, e.g. "signed"), else the older
// hasNonFoil/hasFoil flags, else normal.
func faceFinishes(f cardJSON) []string {
	var out []string
	for _, fin := range f.Finishes {
		if c := finishName(fin); c != "" {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		if f.HasNonFoil {
			out = append(out, FinishNormal)
		}
		if f.HasFoil {
			out = append(out, FinishFoil)
		}
	}
	if len(out) == 0 {
		out = append(out, FinishNormal)
	}
	return out
}

// finishName maps an MTGJSON finish to the catalogue's lower-case name with
// '_' for anything but ASCII letters and digits; "" when nothing is left.
func finishName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "nonfoil" {
		return FinishNormal
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteByte(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

// sortedFinishes returns the finishes of set in catalogue order.
func sortedFinishes(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b string) int {
		ra, oka := finishRank[a]
		rb, okb := finishRank[b]
		if !oka {
			ra = len(finishRank) + 1
		}
		if !okb {
			rb = len(finishRank) + 1
		}
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a, b))
	})
	return out
}
