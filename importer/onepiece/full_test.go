package onepiece

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/importer/importertest"
)

// TestParseFullDataset parses all 50 set files: 3,839 records become 3,839
// variants of 2,901 cards (one per set and printed number); the 4 records on
// the Japanese card list only add 4 "ja" printings to 2,901 English ones.
func TestParseFullDataset(t *testing.T) {
	t.Parallel()
	dir := importertest.SharedDataset(t, filepath.Join("onepiece", "data"))
	sets := importertest.ParseDir(t, dir, Parse)
	importertest.RequireValid(t, sets)
	require.Equal(t, importertest.Counts{Sets: 50, Cards: 2901, Printings: 2905, Variants: 3839}, importertest.Count(sets))
	parallels := 0
	for _, s := range sets {
		require.NotEqual(t, s.Code, s.Name, "set %s has no name", s.Code)
		require.NotEmpty(t, s.Series, s.Code)
		for _, c := range s.Cards {
			for _, p := range c.Printings {
				for _, v := range p.Variants {
					if v.Finish == "parallel" {
						parallels++
					}
				}
			}
		}
	}
	require.Equal(t, 1082, parallels)
}
