package fab

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/importer/importertest"
)

// TestParseFullDataset parses the whole the-fab-cube export: 3,878 cards in
// 13,081 printing rows. Rows become 13,061 variants (20 rows are the backs of
// double-faced printings) of 6,970 cards (one per set, number and name) in the
// 82 sets that have printings.
func TestParseFullDataset(t *testing.T) {
	t.Parallel()
	dir := importertest.SharedDataset(t, filepath.Join("fab", "csvs", "english"))
	sets := importertest.ParseDir(t, dir, Parse)
	importertest.RequireValid(t, sets)
	n := importertest.Count(sets)
	require.Equal(t, importertest.Counts{Sets: 82, Cards: 6970, Printings: 8158, Variants: 13061}, n)

	names := map[string]bool{}
	xrefs := 0
	for _, s := range sets {
		for _, c := range s.Cards {
			names[c.Name] = true
			xrefs += len(c.XRefs)
			for _, p := range c.Printings {
				for _, v := range p.Variants {
					xrefs += len(v.XRefs)
				}
			}
		}
	}
	// card.csv has 3,878 game objects; pitch variants share a name.
	require.LessOrEqual(t, len(names), 3878)
	require.Greater(t, len(names), 2000)
	require.Equal(t, 6607, xrefs) // distinct TCGplayer ids
}
