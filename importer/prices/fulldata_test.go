package prices

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/importer/importertest"
)

// TestTCGplayerDailyFullFile parses the whole real TCGplayer file and checks
// its counts are consistent, every set code maps to a catalogue set and every
// card key to a catalogue card where the catalogue data is present.
func TestTCGplayerDailyFullFile(t *testing.T) {
	t.Parallel()
	dir := importertest.SharedDatasets(t)
	path := filepath.Join(dir, "prices", "tcgplayer-pokemon-daily.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("SKIP (optional data): %s not present (README, Data)", path)
	}
	out, st, err := ParseFile(path, time.Time{})
	require.NoError(t, err)
	t.Logf("%s: %+v", filepath.Base(path), st)
	require.Equal(t, st.Prices, len(out))
	require.Equal(t, st.Rows, st.Prices+st.Skipped+st.Duplicates)
	require.Positive(t, st.Prices)

	sets := map[string]bool{}
	cardSets := map[string]bool{}
	for _, p := range out {
		require.Positive(t, p.AmountMinor)
		require.False(t, p.AsOf.IsZero())
		if p.Ref.Card != nil {
			sets[p.Ref.Card.Set] = true
			cardSets[p.Ref.Card.Set] = true
		} else {
			sets[p.Ref.Sealed.Set] = true
		}
	}

	// Set codes against the catalogue's pokemontcg.io ids.
	var known []struct {
		ID string `json:"id"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "pokemon", "sets", "en.json"))
	if err != nil {
		t.Logf("no pokemon sets to check set codes against: %v", err)
		return
	}
	require.NoError(t, json.Unmarshal(data, &known))
	ids := map[string]bool{}
	for _, s := range known {
		ids[s.ID] = true
	}
	for code := range sets {
		require.True(t, ids[code], "set code %q is not a catalogue set", code)
	}

	// Card keys against the catalogue's cards (name and number).
	type card struct{ Name, Number string }
	cards := map[string]map[card]bool{}
	for code := range cardSets {
		var cs []struct {
			Name   string `json:"name"`
			Number string `json:"number"`
		}
		data, err := os.ReadFile(filepath.Join(dir, "pokemon", "cards", "en", code+".json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &cs))
		cards[code] = map[card]bool{}
		for _, c := range cs {
			cards[code][card{c.Name, c.Number}] = true
		}
	}
	matched, unmatched := map[string]bool{}, map[string]bool{}
	for _, p := range out {
		if k := p.Ref.Card; k != nil {
			if cards[k.Set][card{k.Name, k.Number}] {
				matched[k.Set+" "+k.Number] = true
			} else {
				unmatched[k.Set+" "+k.Number+" "+k.Name] = true
			}
		}
	}
	t.Logf("card series matching a catalogue card by set, number and name: %d; not matching: %v", len(matched), unmatched)
	require.GreaterOrEqual(t, len(matched), len(unmatched))
}
