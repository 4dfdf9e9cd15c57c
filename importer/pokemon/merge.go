package pokemon

import (
	"cmp"
	"slices"

	"github.com/collectorstash/csm/catalog"
)

// finishRank orders the common finishes first; others sort by name after.
var finishRank = map[string]int{"normal": 1, "holofoil": 2, "reverse_holofoil": 3}

// runRank orders the print runs; others sort by name after.
var runRank = map[string]int{PrintRunUnlimited: 1, PrintRunFirstEdition: 2}

// rank returns m[s], or len(m)+1 for names m does not know.
func rank(m map[string]int, s string) int {
	if r, ok := m[s]; ok {
		return r
	}
	return len(m) + 1
}

// sortPrintings orders printings by print run and their variants by finish,
// so the output does not depend on the order of map keys in the source.
func sortPrintings(list []catalog.ImportPrinting) {
	slices.SortStableFunc(list, func(a, b catalog.ImportPrinting) int {
		return cmp.Or(
			cmp.Compare(a.Language, b.Language),
			cmp.Compare(rank(runRank, a.PrintRun), rank(runRank, b.PrintRun)),
			cmp.Compare(a.PrintRun, b.PrintRun))
	})
	for i := range list {
		slices.SortStableFunc(list[i].Variants, func(a, b catalog.ImportVariant) int {
			return cmp.Or(
				cmp.Compare(rank(finishRank, a.Finish), rank(finishRank, b.Finish)),
				cmp.Compare(a.Finish, b.Finish),
				cmp.Compare(a.Label, b.Label))
		})
	}
}

// mergeCards merges cards with the same natural key (collector number, name)
// into the first of them, keeping first-seen order.
func mergeCards(cards []catalog.ImportCard) []catalog.ImportCard {
	type key struct{ number, name string }
	at := make(map[key]int, len(cards))
	out := cards[:0]
	for _, c := range cards {
		k := key{c.CollectorNumber, c.Name}
		if i, ok := at[k]; ok {
			out[i].Printings = mergePrintings(append(out[i].Printings, c.Printings...))
			for _, img := range c.Images {
				if !slices.ContainsFunc(out[i].Images, func(o catalog.ImportImage) bool { return o.URL == img.URL }) {
					out[i].Images = append(out[i].Images, img)
				}
			}
			continue
		}
		at[k] = len(out)
		out = append(out, c)
	}
	return out
}

// mergePrintings merges printings with the same (language, print run) and,
// within one, variants with the same (finish, label); the first one wins.
func mergePrintings(list []catalog.ImportPrinting) []catalog.ImportPrinting {
	type key struct{ lang, run string }
	at := make(map[key]int, len(list))
	out := list[:0]
	for _, p := range list {
		k := key{p.Language, p.PrintRun}
		if i, ok := at[k]; ok {
			out[i].Variants = append(out[i].Variants, p.Variants...)
			continue
		}
		at[k] = len(out)
		out = append(out, p)
	}
	for i := range out {
		out[i].Variants = mergeVariants(out[i].Variants)
	}
	return out
}

// mergeVariants drops variants repeating an earlier (finish, label).
func mergeVariants(list []catalog.ImportVariant) []catalog.ImportVariant {
	type key struct{ finish, label string }
	seen := make(map[key]bool, len(list))
	out := list[:0]
	for _, v := range list {
		k := key{v.Finish, v.Label}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}
