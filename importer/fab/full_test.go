package fab

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sharedDatasets returns the folder of the shared real data sets:
// $CSM_SHARED_DATASETS, else ../shared/datasets next to the module root.
func sharedDatasets(t *testing.T, sub string) string {
	t.Helper()
	var candidates []string
	if env := os.Getenv("CSM_SHARED_DATASETS"); env != "" {
		candidates = append(candidates, env)
	}
	candidates = append(candidates, filepath.Join("..", "..", "..", "shared", "datasets"))
	for _, c := range candidates {
		dir := filepath.Join(c, sub)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
	}
	t.Skipf("real data set %s not found (set CSM_SHARED_DATASETS)", sub)
	return ""
}

// TestParseFullDataset parses the whole the-fab-cube export: 3,878 cards in
// 13,081 printing rows. Rows become 13,061 variants (20 rows are the backs of
// double-faced printings) of 6,970 cards (one per set, number and name) in the
// 82 sets that have printings.
func TestParseFullDataset(t *testing.T) {
	t.Parallel()
	dir := sharedDatasets(t, filepath.Join("fab", "csvs", "english"))
	start := time.Now()
	_, sets, err := Parse(dir)
	elapsed := time.Since(start)
	require.NoError(t, err)
	t.Logf("parsed %s in %v", dir, elapsed)
	requireValid(t, sets)
	n := count(sets)
	require.Equal(t, counts{sets: 82, cards: 6970, printings: 8158, variants: 13061}, n)

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
