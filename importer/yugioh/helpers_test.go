package yugioh

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// requireNaturalKeys fails unless every set, card, printing and variant has a
// non-empty, unique natural key and every card has a variant.
func requireNaturalKeys(t *testing.T, sets []catalog.ImportSet) {
	t.Helper()
	setKeys := map[string]bool{}
	for _, s := range sets {
		require.NotEmpty(t, s.Code)
		require.False(t, setKeys[s.Code], "duplicate set %s", s.Code)
		setKeys[s.Code] = true
		cards := map[string]bool{}
		for _, c := range s.Cards {
			require.NotEmpty(t, c.Name, "set %s", s.Code)
			require.NotEmpty(t, c.CollectorNumber, "set %s card %s", s.Code, c.Name)
			ck := c.CollectorNumber + "\x00" + c.Name
			require.False(t, cards[ck], "duplicate card %s %s #%s", s.Code, c.Name, c.CollectorNumber)
			cards[ck] = true
			require.NotEmpty(t, c.Printings, "card %s %s", s.Code, c.Name)
			printings := map[string]bool{}
			for _, p := range c.Printings {
				require.NotEmpty(t, p.Language)
				require.NotEmpty(t, p.PrintRun)
				pk := p.Language + "\x00" + p.PrintRun
				require.False(t, printings[pk], "duplicate printing %s %s %s", s.Code, c.Name, pk)
				printings[pk] = true
				require.NotEmpty(t, p.Variants, "card %s %s", s.Code, c.Name)
				variants := map[string]bool{}
				for _, v := range p.Variants {
					require.NotEmpty(t, v.Finish)
					require.NotEmpty(t, v.Label)
					vk := v.Finish + "\x00" + v.Label
					require.False(t, variants[vk], "duplicate variant %s %s %s", s.Code, c.Name, vk)
					variants[vk] = true
				}
			}
		}
	}
}

// copyTestdata copies testdata into a temporary directory and returns it.
func copyTestdata(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	require.NoError(t, os.CopyFS(dst, os.DirFS("testdata")))
	return dst
}

// lineOf returns the 1-based line of the first occurrence of sub in data.
func lineOf(t *testing.T, data []byte, sub string) int {
	t.Helper()
	i := bytes.Index(data, []byte(sub))
	require.GreaterOrEqual(t, i, 0, "%q not in data", sub)
	return bytes.Count(data[:i], []byte{'\n'}) + 1
}

// at formats the "file:line:" prefix of a parse error.
func at(file string, line int) string {
	return fmt.Sprintf("%s:%d:", filepath.Base(file), line)
}

// sharedDatasets returns the shared real-data folder or skips the test.
func sharedDatasets(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CSM_SHARED_DATASETS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "datasets")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no shared datasets at %s (set CSM_SHARED_DATASETS)", dir)
	}
	return dir
}
