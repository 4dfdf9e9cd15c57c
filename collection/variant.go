package collection

import (
	"strconv"
	"strings"
)

// variantNames are the names a variant answers to, lower case: its
// finish, label, print run, "<print run>_<finish>" and the same with
// "holofoil" shortened to "holo" ("1st_edition_holo").
func variantNames(v VariantInfo) []string {
	var out []string
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			return
		}
		out = append(out, s)
		if strings.Contains(s, "holofoil") {
			out = append(out, strings.ReplaceAll(s, "holofoil", "holo"))
		}
	}
	add(v.PrintRun + "_" + v.Finish)
	if v.Label != "" && v.Label != "standard" {
		add(v.PrintRun + "_" + v.Finish + "_" + v.Label)
		add(v.Label)
	}
	add(v.Finish)
	add(v.PrintRun)
	return out
}

// MatchVariant finds the variant named name: its id, or one of the names
// variantNames gives (case-, space- and dash-insensitive). Names are
// tried most specific first, so "1st_edition_holo" picks the 1st edition
// and "holo" the first holofoil variant.
func MatchVariant(vs []VariantInfo, name string) (int64, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.NewReplacer(" ", "_", "-", "_").Replace(n)
	if n == "" {
		return 0, false
	}
	if id, err := strconv.ParseInt(n, 10, 64); err == nil {
		for _, v := range vs {
			if v.ID == id {
				return id, true
			}
		}
	}
	for rank := 0; rank < 8; rank++ {
		for _, v := range vs {
			names := variantNames(v)
			if rank < len(names) && names[rank] == n {
				return v.ID, true
			}
		}
	}
	return 0, false
}

// VariantNames lists the preferred name of each variant, for messages.
func VariantNames(vs []VariantInfo) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		names := variantNames(v)
		if len(names) > 0 {
			out = append(out, names[0])
		}
	}
	return out
}
