package lorcana

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/importer/importertest"
)

// TestParseFullDataset parses all 13 set files: 2,477 cards with 3,157
// variants (the data README says 3,257). One variant is listed twice (fab
// #108), so 3,156 catalogue cards land in 13 main sets and 10 promo sets.
func TestParseFullDataset(t *testing.T) {
	t.Parallel()
	dir := importertest.SharedDataset(t, filepath.Join("lorcana", "data"))
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	setFiles := 0
	for _, e := range ents {
		if IsSetFile(e.Name()) {
			setFiles++
		}
	}
	require.Equal(t, 13, setFiles)

	sets := importertest.ParseDir(t, dir, Parse)
	requireValid(t, sets)
	require.Equal(t, importertest.Counts{Sets: 23, Cards: 3156, Printings: 14551, Variants: 26970}, importertest.Count(sets))
	main, promo := 0, 0
	for _, s := range sets {
		if s.IsPromo {
			promo++
		} else {
			main++
			require.GreaterOrEqual(t, s.TotalCards, 204, s.Code)
		}
	}
	require.Equal(t, 13, main)
	require.Equal(t, 10, promo)
	require.Equal(t, "TFC", sets[0].Code)
	require.Len(t, sets[0].Cards, 216)
}
