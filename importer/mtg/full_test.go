package mtg

import (
	"path/filepath"
	"testing"

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
	sets := importertest.ParseDir(t, dir, Parse)
	n, sealed := importertest.Count(sets), 0
	for _, s := range sets {
		sealed += len(s.Sealed)
	}
	t.Logf("mtg: %+v, %d sealed", n, sealed)
	require.Len(t, sets, 116)
	// 30,379 card faces: 582 two-face cards merge, 62 online-only faces drop.
	require.InDelta(t, 29_750, n.Cards, 500)
	require.Greater(t, sealed, 1000)
	importertest.RequireNaturalKeys(t, sets)
}
