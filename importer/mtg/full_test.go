package mtg

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/importer/importertest"
)

// TestParseFullDataset parses the whole shared MTGJSON copy when it is
// present (CSM_SHARED_DATASETS or ../shared/datasets from the module root).
func TestParseFullDataset(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short mode")
	}
	dir := filepath.Join(importertest.SharedDatasets(t), "mtg")
	start := time.Now()
	_, sets, err := Parse(dir)
	elapsed := time.Since(start)
	require.NoError(t, err)
	cards, printings, variants, sealed := 0, 0, 0, 0
	for _, s := range sets {
		cards += len(s.Cards)
		sealed += len(s.Sealed)
		for _, c := range s.Cards {
			printings += len(c.Printings)
			for _, p := range c.Printings {
				variants += len(p.Variants)
			}
		}
	}
	t.Logf("mtg: %d sets, %d cards, %d printings, %d variants, %d sealed in %v",
		len(sets), cards, printings, variants, sealed, elapsed)
	require.Len(t, sets, 116)
	// 30,379 card faces: 582 two-face cards merge, 62 online-only faces drop.
	require.InDelta(t, 29_750, cards, 500)
	require.Greater(t, sealed, 1000)
	importertest.RequireNaturalKeys(t, sets)
}
