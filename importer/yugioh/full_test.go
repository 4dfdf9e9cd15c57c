package yugioh

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/importer/importertest"
)

// TestParseFullDataset parses the whole shared YDM-Data copy, with the
// shared card images, when it is present (CSM_SHARED_DATASETS or
// ../shared/datasets from the module root).
func TestParseFullDataset(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("short mode")
	}
	root := importertest.SharedDatasets(t)
	start := time.Now()
	_, sets, err := Parse(filepath.Join(root, "yugioh"), Options{ImagesDir: filepath.Join(root, "images", "yugioh")})
	elapsed := time.Since(start)
	require.NoError(t, err)
	cards, variants, images, noPasscode := 0, 0, 0, 0
	for _, s := range sets {
		cards += len(s.Cards)
		for _, c := range s.Cards {
			images += len(c.Images)
			if len(c.XRefs) == 0 {
				noPasscode++
			}
			for _, p := range c.Printings {
				variants += len(p.Variants)
			}
		}
	}
	t.Logf("yugioh: %d sets, %d cards, %d variants, %d with image, %d without passcode in %v",
		len(sets), cards, variants, images, noPasscode, elapsed)
	require.Len(t, sets, 714)
	require.InDelta(t, 20_590, cards, 500, "one card per (set, print code, name)")
	require.Greater(t, images, 2_000)
	require.Less(t, noPasscode, 100, "set card names missing from cards.jsonl")
	importertest.RequireNaturalKeys(t, sets)
}
