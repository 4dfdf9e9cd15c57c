package yugioh

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
)

// SetCode returns the catalogue code of a set name: its lower-case ASCII slug
// ("Legend of Blue Eyes White Dragon" → legend-of-blue-eyes-white-dragon), or
// "set-" and a hash of the name when the name has no ASCII letter or digit.
// Parse adds "-2", "-3", … to the codes of names that share a slug.
func SetCode(name string) string {
	if s := slug(name, '-'); s != "" {
		return s
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("set-%08x", h.Sum32())
}

// uniqueCodes returns one code per name: SetCode, with names sharing a code
// numbered in name order (then input order) so that the result does not
// depend on the order of the sets in the file.
func uniqueCodes(names []string) []string {
	codes := make([]string, len(names))
	groups := map[string][]int{}
	for i, n := range names {
		codes[i] = SetCode(n)
		groups[codes[i]] = append(groups[codes[i]], i)
	}
	taken := map[string]bool{}
	for _, c := range codes {
		taken[c] = true
	}
	for _, code := range slices.Sorted(maps.Keys(groups)) {
		idx := groups[code]
		if len(idx) < 2 {
			continue
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(names[a], names[b]) })
		n := 2
		for _, i := range idx[1:] {
			for taken[code+"-"+strconv.Itoa(n)] {
				n++
			}
			codes[i] = code + "-" + strconv.Itoa(n)
			taken[codes[i]] = true
			n++
		}
	}
	return codes
}
