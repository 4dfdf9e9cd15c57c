package lorcana

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

// TestParseFullDataset parses all 13 set files: 2,477 cards with 3,157
// variants (the data README says 3,257). One variant is listed twice (fab
// #108), so 3,156 catalogue cards land in 13 main sets and 10 promo sets.
func TestParseFullDataset(t *testing.T) {
	t.Parallel()
	dir := sharedDatasets(t, filepath.Join("lorcana", "data"))
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	setFiles := 0
	for _, e := range ents {
		if IsSetFile(e.Name()) {
			setFiles++
		}
	}
	require.Equal(t, 13, setFiles)

	start := time.Now()
	_, sets, err := Parse(dir)
	elapsed := time.Since(start)
	require.NoError(t, err)
	t.Logf("parsed %s in %v", dir, elapsed)
	requireValid(t, sets)
	require.Equal(t, counts{sets: 23, cards: 3156, printings: 14551, variants: 26970}, count(sets))
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
