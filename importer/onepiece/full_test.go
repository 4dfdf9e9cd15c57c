package onepiece

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

// TestParseFullDataset parses all 50 set files: 3,839 records become 3,839
// variants of 2,901 cards (one per set and printed number); the 4 records on
// the Japanese card list only add 4 "ja" printings to 2,901 English ones.
func TestParseFullDataset(t *testing.T) {
	t.Parallel()
	dir := sharedDatasets(t, filepath.Join("onepiece", "data"))
	start := time.Now()
	_, sets, err := Parse(dir)
	elapsed := time.Since(start)
	require.NoError(t, err)
	t.Logf("parsed %s in %v", dir, elapsed)
	requireValid(t, sets)
	require.Equal(t, counts{sets: 50, cards: 2901, printings: 2905, variants: 3839}, count(sets))
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
