package pokemon

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
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
	sets := importertest.ParseDir(t, dir, func(dir string) (catalog.GameInfo, []catalog.ImportSet, error) { return Parse(dir, Options{}) })
	n := importertest.Count(sets)
	t.Logf("pokemon: %+v", n)
	require.Len(t, sets, 172)
	require.InDelta(t, 20_000, n.Cards, 1_000)
	importertest.RequireNaturalKeys(t, sets)
}
