package mtg

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestParseLegalities reads MTGJSON's per-card "legalities" (an excerpt
// of the real M10 file).
func TestParseLegalities(t *testing.T) {
	t.Parallel()
	_, sets, err := Parse("testdata/legal/M10.json")
	require.NoError(t, err)
	require.Len(t, sets, 1)
	byName := map[string]map[string]string{}
	for _, c := range sets[0].Cards {
		byName[c.Name] = c.Legalities
	}
	require.Equal(t, "Banned", byName["Ponder"]["modern"])
	require.Equal(t, "Legal", byName["Lightning Bolt"]["modern"])
	require.NotContains(t, byName["Lightning Bolt"], "standard", "formats a card is not legal in are absent")
	require.Equal(t, "Legal", byName["Forest"]["standard"])
}
