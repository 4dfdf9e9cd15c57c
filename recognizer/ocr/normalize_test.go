package ocr

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		game, raw, num, set string
		ok                  bool
	}{
		{catalog.GameYugioh, "LOB-EN001", "LOB-EN001", "LOB", true},
		{catalog.GameYugioh, "L0B-ENOO1", "LOB-EN001", "LOB", true}, // O/0 by position
		{catalog.GameYugioh, "LOBEN001", "LOB-EN001", "LOB", true},  // lost hyphen
		{catalog.GameYugioh, "lob - en 0I7", "", "", false},
		{catalog.GameYugioh, "LOB-EN0I7", "LOB-EN017", "LOB", true},
		{catalog.GameYugioh, "LOB-001", "LOB-001", "LOB", true},
		{catalog.GameYugioh, "SDY-E0O5", "SDY-E005", "SDY", true},
		{catalog.GameYugioh, "LDK2-ENS02", "LDK2-ENS02", "LDK2", true},
		{catalog.GameYugioh, "MP17-EN0S9", "MP17-EN059", "MP17", true},
		{catalog.GameYugioh, "— RATE–EN066 .", "RATE-EN066", "RATE", true},
		{catalog.GameYugioh, "LOB-XX001", "", "", false},
		{catalog.GameYugioh, "HELLO", "", "", false},
		{catalog.GamePokemon, "4/102", "4/102", "", true},
		{catalog.GamePokemon, "O25 / 198", "25/198", "", true},
		{catalog.GamePokemon, "SVI EN 123/198", "123/198", "SVI", true},
		{catalog.GamePokemon, "TG05/TG30", "TG05/TG30", "", true},
		{catalog.GamePokemon, "S/IO2", "", "", false}, // no real digit on one side
		{catalog.GamePokemon, "HP 120", "", "", false},
		{catalog.GameOnePiece, "OP01-001", "OP01-001", "OP01", true},
		{catalog.GameOnePiece, "0P0I-OO1 SR", "OP01-001", "OP01", true},
		{catalog.GameOnePiece, "ST10-005", "ST10-005", "ST10", true},
		{catalog.GameOnePiece, "P-042", "P-042", "P", true},
		{catalog.GameOnePiece, "XX01-001", "", "", false},
		{catalog.GameMTG, "0157 C", "157", "", true},
		{catalog.GameMTG, "157/274 R", "157", "", true},
		{catalog.GameMTG, "6293 C", "293", "", true}, // the pad zero misread
		{catalog.GameMTG, "1293 C", "1293", "", true},
		{catalog.GameMTG, "C", "", "", false},
		{catalog.GameFAB, "WTR001", "WTR001", "WTR", true},
		{catalog.GameFAB, "MON 0O2", "MON002", "MON", true},
		{catalog.GameFAB, "1HP042", "1HP042", "1HP", true},
		{catalog.GameLorcana, "1/204 EN 1", "1/204", "1", true},
		{catalog.GameLorcana, "12/204 - EN - 2", "12/204", "2", true},
		{catalog.GameLorcana, "4a/204", "4a/204", "", true},
		{catalog.GameLorcana, "EN", "", "", false},
	} {
		num, set, ok := Layouts[tc.game].Normalize(tc.raw)
		require.Equal(t, tc.ok, ok, "%s %q", tc.game, tc.raw)
		require.Equal(t, tc.num, num, "%s %q", tc.game, tc.raw)
		require.Equal(t, tc.set, set, "%s %q", tc.game, tc.raw)
	}
	for raw, want := range map[string]string{"DMU • EN": "DMU", "FUTEN": "FUT", "PLSTEN": "PLST", "M19 EN": "M19"} {
		set, ok := normalizeMTGSet(raw)
		require.True(t, ok, raw)
		require.Equal(t, want, set, raw)
	}
}

func TestLayoutsComplete(t *testing.T) {
	t.Parallel()
	for _, g := range []string{catalog.GamePokemon, catalog.GameMTG, catalog.GameYugioh, catalog.GameFAB, catalog.GameLorcana, catalog.GameOnePiece} {
		l, ok := Layouts[g]
		require.True(t, ok, g)
		require.Equal(t, g, l.Game)
		require.NotNil(t, l.Normalize, g)
		require.NotEmpty(t, l.Name.Regions, g)
		require.NotEmpty(t, l.Number.Regions, g)
		require.Contains(t, gameOrder, g)
		for _, r := range append(append([]Region{}, l.Name.Regions...), l.Number.Regions...) {
			require.True(t, 0 <= r.X0 && r.X0 < r.X1 && r.X1 <= 1 && 0 <= r.Y0 && r.Y0 < r.Y1 && r.Y1 <= 1, "%s %+v", g, r)
		}
	}
}

// FuzzNormalize feeds every game's normaliser arbitrary OCR text: no
// panic, and an accepted number is non-empty, valid UTF-8 and a fixed
// point (normalising it again gives it back).
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"LOB-EN001", "4/102", "OP01-001", "0157 C", "WTR001", "1/204 EN 1", "—-/", "ENENEN", "\xff/\xfe", "P-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for g, l := range Layouts {
			num, set, ok := l.Normalize(raw)
			if !ok {
				continue
			}
			if num == "" || !utf8.ValidString(num) || !utf8.ValidString(set) {
				t.Fatalf("%s: Normalize(%q) = %q, %q", g, raw, num, set)
			}
			if again, _, ok := l.Normalize(num); !ok || again != num {
				t.Fatalf("%s: Normalize(%q) = %q, but Normalize(%q) = %q, %v", g, raw, num, num, again, ok)
			}
		}
	})
}
