package prices

import (
	"strconv"
	"strings"
)

// pokemonHalfSets maps TCGplayer's ".5" (and "PT5") set codes to the
// catalogue's pokemontcg.io set ids. They follow no single rule: Scarlet &
// Violet and Crown Zenith use "pt5", older Sword & Shield specials drop the
// dot, Celebrations has its own id, and SV10.5 is two sets (Black Bolt,
// White Flare) so it is deliberately absent.
var pokemonHalfSets = map[string]string{
	"SWSH3.5":  "swsh35",    // Champion's Path
	"SWSH4.5":  "swsh45",    // Shining Fates
	"SWSH7.5":  "cel25",     // Celebrations
	"SWSH12.5": "swsh12pt5", // Crown Zenith
	"SV3.5":    "sv3pt5",    // 151
	"SV4.5":    "sv4pt5",    // Paldean Fates
	"SV6.5":    "sv6pt5",    // Shrouded Fable
	"SV8.5":    "sv8pt5",    // Prismatic Evolutions
}

// PokemonSetCode maps a TCGplayer Pokémon set code to the catalogue's set
// code (the pokemontcg.io id). Case and zero padding are ignored:
//
//	SV01 → sv1, SV10 → sv10, SWSH06 → swsh6         (main sets: series + number)
//	SV03.5 / SV3PT5 → sv3pt5, SWSH12.5 → swsh12pt5  (see pokemonHalfSets)
//	SWSH07.5 → cel25                                (Celebrations)
//
// Any other code (older series, SV10.5, typos) is returned unchanged, so the
// store reports it as unmatched rather than mapping it to a wrong set.
func PokemonSetCode(code string) string {
	series, num, half, ok := splitSetCode(code)
	if !ok {
		return code
	}
	if half {
		if id, ok := pokemonHalfSets[series+strconv.Itoa(num)+".5"]; ok {
			return id
		}
		return code
	}
	return strings.ToLower(series) + strconv.Itoa(num)
}

// splitSetCode splits "SV03.5", "sv3pt5" or "SWSH12" into the series (SV or
// SWSH, upper-cased), the number without padding and whether it is a ".5".
func splitSetCode(code string) (series string, num int, half, ok bool) {
	s := strings.ToUpper(strings.TrimSpace(code))
	switch {
	case strings.HasPrefix(s, "SWSH"):
		series = "SWSH"
	case strings.HasPrefix(s, "SV"):
		series = "SV"
	default:
		return "", 0, false, false
	}
	s = s[len(series):]
	if t, cut := strings.CutSuffix(s, ".5"); cut {
		s, half = t, true
	} else if t, cut := strings.CutSuffix(s, "PT5"); cut {
		s, half = t, true
	}
	if s == "" || len(s) > 3 {
		return "", 0, false, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", 0, false, false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n == 0 {
		return "", 0, false, false
	}
	return series, n, half, true
}
