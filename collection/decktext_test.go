package collection_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/collection"
)

func TestParseDeckText(t *testing.T) {
	t.Parallel()
	text := "// Burn\nDeck\n4 Lightning Bolt\n4x Ponder (M10) 68\n1 Forest [M10] 246 *F*\nLlanowar Elves\n" +
		"0 Nothing\n12\nSB: 2 Duress\n\nSideboard (1)\n1 Naturalize (M10)\nCommander\n1 Atraxa, Praetors' Voice\n"
	lines, bad := collection.ParseDeckText(text)
	require.Equal(t, []collection.DeckLine{
		{Line: 3, Quantity: 4, Name: "Lightning Bolt", Section: collection.SectionMain},
		{Line: 4, Quantity: 4, Name: "Ponder", Set: "M10", Number: "68", Section: collection.SectionMain},
		{Line: 5, Quantity: 1, Name: "Forest", Set: "M10", Number: "246", Section: collection.SectionMain},
		{Line: 6, Quantity: 1, Name: "Llanowar Elves", Section: collection.SectionMain},
		{Line: 9, Quantity: 2, Name: "Duress", Section: collection.SectionSideboard},
		{Line: 12, Quantity: 1, Name: "Naturalize", Set: "M10", Section: collection.SectionSideboard},
		{Line: 14, Quantity: 1, Name: "Atraxa, Praetors' Voice", Section: collection.SectionCommander},
	}, lines)
	require.Equal(t, []collection.BadLine{
		{Line: 7, Text: "0 Nothing", Reason: "quantity must be between 1 and 999"},
		{Line: 8, Text: "12", Reason: "no card name"},
	}, bad)

	// MTG Arena: a blank line after the main deck starts the sideboard
	lines, bad = collection.ParseDeckText("4 Lightning Bolt\n\n2 Duress\n")
	require.Empty(t, bad)
	require.Equal(t, collection.SectionSideboard, lines[1].Section)
}

func FuzzParseDeckText(f *testing.F) {
	f.Add("4 Lightning Bolt\nSB: 2 Duress\n")
	f.Add("4 Lightning Bolt (M10) 146\n\nSideboard\n1 Forest [M10] 246 *F*")
	f.Add("Commander\n1 Atraxa\n// c\n# x\n999999 X\n")
	f.Add(strings.Repeat("1 A\n", 1200))
	f.Fuzz(func(t *testing.T, text string) {
		lines, bad := collection.ParseDeckText(text)
		require.LessOrEqual(t, len(lines), collection.MaxDeckLines)
		for _, l := range lines {
			require.GreaterOrEqual(t, l.Quantity, 1)
			require.LessOrEqual(t, l.Quantity, collection.MaxCardsPerLine)
			require.NotEmpty(t, strings.TrimSpace(l.Name))
			require.Contains(t, collection.Sections, l.Section)
			require.Positive(t, l.Line)
		}
		for _, b := range bad {
			require.NotEmpty(t, b.Reason)
			require.True(t, utf8.ValidString(b.Text) || !utf8.ValidString(text))
		}
	})
}

func TestMatchVariant(t *testing.T) {
	t.Parallel()
	vs := []collection.VariantInfo{
		{ID: 1, PrintRun: "unlimited", Finish: "holofoil", Label: "standard"},
		{ID: 2, PrintRun: "shadowless", Finish: "holofoil"},
		{ID: 3, PrintRun: "1st_edition", Finish: "holofoil"},
	}
	for name, want := range map[string]int64{"1st_edition_holo": 3, "1st Edition Holofoil": 3, "holo": 1, "shadowless": 2, "2": 2, "unlimited_holofoil": 1} {
		got, ok := collection.MatchVariant(vs, name)
		require.True(t, ok, name)
		require.Equal(t, want, got, name)
	}
	_, ok := collection.MatchVariant(vs, "reverse")
	require.False(t, ok)
	_, ok = collection.MatchVariant(vs, "9")
	require.False(t, ok)
}

func TestCheckDeck(t *testing.T) {
	t.Parallel()
	bolt := collection.DeckCard{CardID: 1, Name: "Lightning Bolt", Section: collection.SectionMain, Quantity: 4, CardType: "Instant"}
	forest := collection.DeckCard{CardID: 2, Name: "Forest", Section: collection.SectionMain, Quantity: 56, CardType: "Basic Land — Forest"}
	lotus := collection.DeckCard{CardID: 3, Name: "Black Lotus", Section: collection.SectionMain, Quantity: 2, CardType: "Artifact"}
	rules := collection.FormatRules{MinMain: 60, MaxSideboard: 15, CopyLimit: 4}
	status := map[int64]string{1: "Legal", 2: "Legal", 3: "Restricted"}
	require.Empty(t, collection.CheckDeck([]collection.DeckCard{bolt, forest}, "modern", rules, status))
	issues := collection.CheckDeck([]collection.DeckCard{bolt, forest, lotus}, "vintage", rules, status)
	require.Len(t, issues, 1)
	require.Equal(t, "restricted in vintage: 2 copies, 1 allowed", issues[0].Reason)
	bolt5 := bolt
	bolt5.Quantity = 5
	issues = collection.CheckDeck([]collection.DeckCard{bolt5, forest}, "modern", rules, status)
	require.Equal(t, "5 copies; at most 4", issues[0].Reason)
	require.Equal(t, "Lightning Bolt", issues[0].Card)
	issues = collection.CheckDeck([]collection.DeckCard{bolt}, "modern", rules, map[int64]string{})
	require.Equal(t, "deck has 4 cards; modern needs at least 60", issues[0].Reason)
	require.Equal(t, "not legal in modern (no legality data for this card)", issues[1].Reason)
}
