package pokemon

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/importer/importertest"
)

// TestParseFullDataset parses the whole shared pokemontcg.io copy when it is
// present (CSM_SHARED_DATASETS or ../shared/datasets from the module root).
func TestParseFullDataset(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short mode")
	}
	dir := filepath.Join(importertest.SharedDatasets(t), "pokemon")
	start := time.Now()
	_, sets, err := Parse(dir, Options{})
	elapsed := time.Since(start)
	require.NoError(t, err)
	cards, variants := 0, 0
	for _, s := range sets {
		cards += len(s.Cards)
		for _, c := range s.Cards {
			for _, p := range c.Printings {
				variants += len(p.Variants)
			}
		}
	}
	t.Logf("pokemon: %d sets, %d cards, %d variants in %v", len(sets), cards, variants, elapsed)
	require.Len(t, sets, 172)
	require.InDelta(t, 20_000, cards, 1_000)
	importertest.RequireNaturalKeys(t, sets)
}
