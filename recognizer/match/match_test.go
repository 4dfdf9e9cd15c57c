package match

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFold(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Pokémon":                          "pokemon",
		"  Shien's Castle of  Mist ":       "shiens castle of mist",
		"Ocean Dragon Lord - Neo-Daedalus": "ocean dragon lord neo daedalus",
		"Flabébé":                          "flabebe",
		"Æther Vial":                       "aether vial",
		"Straße":                           "strasse",
		"Jötunn, the Ice-Born":             "jotunn the ice born",
		"---":                              "",
		"":                                 "",
	} {
		require.Equal(t, want, Fold(in), in)
	}
}

func TestNameSimilarity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ocr, name string
		lo, hi    float64
	}{
		{"Charizard", "Charizard", 1, 1},
		{"CHARIZARD", "Charizard", 1, 1},
		{"Pokemon", "Pokémon", 1, 1},
		{"SHIEN'S CASTLE OF MIST", "Shien's Castle of Mist", 1, 1},
		{"Neo Daedalus", "Neo-Daedalus", 1, 1},
		{"THAT GRASS LOOKSGREENER", "That Grass Looks Greener", 1, 1},
		// misread characters
		{"Kip GUARD", "Kid Guard", 0.85, 0.9},
		{"Xvz REVENGE", "Xyz Revenge", 0.88, 0.92},
		{"Charizarb", "Charizard", 0.85, 0.9},
		{"CRYSTAL RELEASE 2", "Crystal Release", 0.9, 0.98},
		// truncation
		{"Sacred Noble Knight of", "Sacred Noble Knight of King Artorigus", 0.8, 0.9},
		{"Super Quantal Mech Ship", "Super Quantal Mech Ship Magnacarrier", 0.8, 0.9},
		{"Sa", "Sacred Noble Knight of King Artorigus", 0, 0.1},
		// different cards
		{"Charizard", "Blastoise", 0, 0.3},
		// a name that is the start of another reads like a truncation: high,
		// but below the exact match the other candidate gets
		{"Dark Magician", "Dark Magician Girl", 0.85, 0.95},
		{"", "Charizard", 0, 0},
		{"---", "Charizard", 0, 0},
	} {
		got := NameSimilarity(tc.ocr, tc.name)
		require.GreaterOrEqual(t, got, tc.lo, "%q vs %q", tc.ocr, tc.name)
		require.LessOrEqual(t, got, tc.hi, "%q vs %q", tc.ocr, tc.name)
		require.InDelta(t, got, NameSimilarity(tc.name, tc.ocr), 1e-12, "symmetric")
	}
}

func TestNumberSimilarity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ocr, num, game string
		want           float64
	}{
		{"LOB-EN001", "LOB-EN001", "yugioh", 1},
		{"lob-en001", "LOB-EN001", "yugioh", 1},
		{"LOB–EN001", "LOB-EN001", "yugioh", 1},
		{"4/102", "4/102", "pokemon", 1},
		{"004/102", "4/102", "pokemon", 1},
		{"04", "4", "pokemon", 1},
		{"OP01-001", "OP01-001", "one-piece", 1},
		{"WTR 001", "WTR001", "flesh-and-blood", 1},
		{"1/204 • EN • 1", "1/204 EN 1", "lorcana", 1},
		// a part missing on one side
		{"4/102", "4", "pokemon", missingPart},
		{"1/204", "1", "lorcana", missingPart},
		{"LOB-001", "LOB-EN001", "yugioh", missingPart},
		// same number, other set / total / region / variant
		{"LOB-EN001", "SDY-EN001", "yugioh", OtherSet},
		{"OP01-001", "OP02-001", "one-piece", OtherSet},
		{"4/102", "4/130", "pokemon", otherTotal},
		{"LOB-EN001", "LOB-DE001", "yugioh", otherRegion},
		{"4a", "4b", "lorcana", otherVariant},
		{"157", "0157", "magic-the-gathering", 1},
	} {
		got := NumberSimilarity(tc.ocr, tc.num, tc.game)
		require.InDelta(t, tc.want, got, 1e-9, "%q vs %q", tc.ocr, tc.num)
		require.InDelta(t, got, NumberSimilarity(tc.num, tc.ocr, tc.game), 1e-12, "symmetric")
	}
	// different digits: low, closer digits higher
	oneOff := NumberSimilarity("LOB-EN007", "LOB-EN001", "yugioh")
	require.Greater(t, oneOff, 0.2)
	require.Less(t, oneOff, misread)
	require.Less(t, NumberSimilarity("LOB-EN987", "LOB-EN001", "yugioh"), oneOff)
	require.Less(t, NumberSimilarity("4/102", "5/102", "pokemon"), 0.3)
	// nothing comparable
	require.Zero(t, NumberSimilarity("", "4", "pokemon"))
	require.Zero(t, NumberSimilarity("ABC", "4", "pokemon"))
	require.Zero(t, NumberSimilarity("4", "", "pokemon"))
}
