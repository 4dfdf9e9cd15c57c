package match

import (
	"math"
	"testing"
)

func FuzzNameSimilarity(f *testing.F) {
	for _, s := range [][2]string{
		{"Charizard", "Charizard"}, {"Kip GUARD", "Kid Guard"}, {"Pokémon", "POKEMON"},
		{"Sacred Noble Knight of", "Sacred Noble Knight of King Artorigus"},
		{"", "x"}, {"\xff\xfe", "ǅ"}, {"ﬁ", "fi"}, {"İ", "i̇"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		s := NameSimilarity(a, b)
		if math.IsNaN(s) || s < 0 || s > 1 {
			t.Fatalf("NameSimilarity(%q, %q) = %v, want [0,1]", a, b, s)
		}
		if r := NameSimilarity(b, a); r != s {
			t.Fatalf("not symmetric: %q,%q = %v but %v reversed", a, b, s, r)
		}
		if Fold(a) != "" && NameSimilarity(a, a) != 1 {
			t.Fatalf("NameSimilarity(%q, itself) = %v", a, NameSimilarity(a, a))
		}
	})
}

func FuzzNumberSimilarity(f *testing.F) {
	for _, s := range [][3]string{
		{"LOB-EN001", "LOB-EN001", "yugioh"}, {"4/102", "4", "pokemon"},
		{"OP01-001", "OP02-001", "one-piece"}, {"1/204 EN 1", "1", "lorcana"},
		{"SV049/SV122", "49", "pokemon"}, {"-/-", "0/", ""}, {"٣", "3", ""},
		{"00000000000000000000001", "1", "magic-the-gathering"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, game string) {
		s := NumberSimilarity(a, b, game)
		if math.IsNaN(s) || s < 0 || s > 1 {
			t.Fatalf("NumberSimilarity(%q, %q) = %v, want [0,1]", a, b, s)
		}
		if r := NumberSimilarity(b, a, game); r != s {
			t.Fatalf("not symmetric: %q,%q = %v but %v reversed", a, b, s, r)
		}
		if normNumber(a) != "" && NumberSimilarity(a, a, game) != 1 {
			t.Fatalf("NumberSimilarity(%q, itself) = %v", a, NumberSimilarity(a, a, game))
		}
	})
}
