package importertest

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// RequireNaturalKeys fails t unless every set, sealed product, card,
// printing and variant has a non-empty natural key, unique within its parent,
// and every card has a printing and every printing a variant.
func RequireNaturalKeys(t testing.TB, sets []catalog.ImportSet) {
	t.Helper()
	setKeys := map[string]bool{}
	for _, s := range sets {
		require.NotEmpty(t, s.Code)
		requireNew(t, setKeys, s.Code, "duplicate set %s", s.Code)
		sealed := map[[2]string]bool{}
		for _, p := range s.Sealed {
			require.NotEmpty(t, p.Name)
			require.NotEmpty(t, p.ProductType)
			sk := [2]string{p.Name, p.ProductType}
			requireNew(t, sealed, sk, "duplicate sealed product %s %q", s.Code, sk)
		}
		cards := map[[2]string]bool{}
		for _, c := range s.Cards {
			require.NotEmpty(t, c.Name, "set %s", s.Code)
			require.NotEmpty(t, c.CollectorNumber, "set %s card %s", s.Code, c.Name)
			ck := [2]string{c.CollectorNumber, c.Name}
			requireNew(t, cards, ck, "duplicate card %s %s #%s", s.Code, c.Name, c.CollectorNumber)
			require.NotEmpty(t, c.Printings, "card %s %s", s.Code, c.Name)
			printings := map[[2]string]bool{}
			for _, p := range c.Printings {
				require.NotEmpty(t, p.Language)
				require.NotEmpty(t, p.PrintRun)
				pk := [2]string{p.Language, p.PrintRun}
				requireNew(t, printings, pk, "duplicate printing %s %s %q", s.Code, c.Name, pk)
				require.NotEmpty(t, p.Variants, "card %s %s", s.Code, c.Name)
				variants := map[[2]string]bool{}
				for _, v := range p.Variants {
					require.NotEmpty(t, v.Finish)
					require.NotEmpty(t, v.Label)
					vk := [2]string{v.Finish, v.Label}
					requireNew(t, variants, vk, "duplicate variant %s %s %q", s.Code, c.Name, vk)
				}
			}
		}
	}
}

// requireNew fails t when k is in seen already, and adds it.
func requireNew[K comparable](t testing.TB, seen map[K]bool, k K, msgAndArgs ...any) {
	t.Helper()
	require.False(t, seen[k], msgAndArgs...)
	seen[k] = true
}

// dateRE matches a YYYY-MM-DD date.
var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// RequireValid checks what the store relies on for games without images:
// the natural keys of RequireNaturalKeys, a name, at least one card and a
// YYYY-MM-DD release date (or none) for every set, no images on cards or
// variants, and external ids that are non-empty and unique across all sets.
func RequireValid(t testing.TB, sets []catalog.ImportSet) {
	t.Helper()
	RequireNaturalKeys(t, sets)
	xrefs := map[catalog.XRef]string{}
	addXRef := func(x catalog.XRef, where string) {
		require.NotEmpty(t, x.Source, where)
		require.NotEmpty(t, x.ID, where)
		prev, dup := xrefs[x]
		require.False(t, dup, "xref %v on %s and %s", x, prev, where)
		xrefs[x] = where
	}
	for _, s := range sets {
		require.NotEmpty(t, s.Name, s.Code)
		if s.ReleaseDate != "" {
			require.Regexp(t, dateRE, s.ReleaseDate, s.Code)
		}
		require.NotEmpty(t, s.Cards, s.Code)
		for _, c := range s.Cards {
			where := s.Code + " " + c.CollectorNumber + " " + c.Name
			require.Empty(t, c.Images, where)
			for _, x := range c.XRefs {
				addXRef(x, where)
			}
			for _, p := range c.Printings {
				for _, v := range p.Variants {
					require.Empty(t, v.ImageURL, where)
					for _, x := range v.XRefs {
						addXRef(x, where)
					}
				}
			}
		}
	}
}

// Counts are the numbers of sets, cards, printings and variants of a parse.
type Counts struct{ Sets, Cards, Printings, Variants int }

// Count counts the sets, cards, printings and variants of sets.
func Count(sets []catalog.ImportSet) Counts {
	n := Counts{Sets: len(sets)}
	for _, s := range sets {
		n.Cards += len(s.Cards)
		for _, c := range s.Cards {
			n.Printings += len(c.Printings)
			for _, p := range c.Printings {
				n.Variants += len(p.Variants)
			}
		}
	}
	return n
}

// FindSet returns the set of sets with code, failing t when there is none.
func FindSet(t testing.TB, sets []catalog.ImportSet, code string) catalog.ImportSet {
	t.Helper()
	for _, s := range sets {
		if s.Code == code {
			return s
		}
	}
	require.Failf(t, "set not found", "%s", code)
	return catalog.ImportSet{}
}

// FindCard returns the card of s with collector number and name, failing t
// when there is none.
func FindCard(t testing.TB, s catalog.ImportSet, number, name string) catalog.ImportCard {
	t.Helper()
	for _, c := range s.Cards {
		if c.CollectorNumber == number && c.Name == name {
			return c
		}
	}
	require.Failf(t, "card not found", "%s %s %q", s.Code, number, name)
	return catalog.ImportCard{}
}

// ParseDir parses the data set folder dir with parse, requires it to
// succeed and logs how long it took; it returns the sets.
func ParseDir(t testing.TB, dir string, parse func(dir string) (catalog.GameInfo, []catalog.ImportSet, error)) []catalog.ImportSet {
	t.Helper()
	start := time.Now()
	_, sets, err := parse(dir)
	elapsed := time.Since(start)
	require.NoError(t, err)
	t.Logf("parsed %s in %v", dir, elapsed)
	return sets
}
