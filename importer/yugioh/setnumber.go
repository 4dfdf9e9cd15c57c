package yugioh

import "strings"

// regionLanguages maps the region code of a print code ("EN" in LOB-EN001)
// to the catalogue language.
var regionLanguages = map[string]string{
	"EN": "en", "AE": "en", // AE: Asian-English
	"DE": "de", "FR": "fr", "IT": "it", "SP": "es", "ES": "es", "PT": "pt",
	"JP": "ja", "JA": "ja", "KR": "ko", "KO": "ko", "TC": "zh-hant", "SC": "zh-hans",
}

// legacyRegionLanguages maps the one-letter region codes of early European
// print codes (LOB-E001, LOB-G001) to the catalogue language.
var legacyRegionLanguages = map[byte]string{
	'E': "en", 'G': "de", 'F': "fr", 'I': "it", 'S': "es", 'P': "pt", 'J': "ja", 'K': "ko",
}

// Language returns the language of a print code from its region: the letters
// after the first '-' start with a two-letter region (LOB-EN001 → en,
// SDK-DE001 → de, YS15-ENY00 → en) or an early one-letter one (BIY-E045 →
// en, LOB-G001 → de). No region (LOB-001) or an unknown one means English.
func Language(setNumber string) string {
	_, rest, ok := strings.Cut(strings.TrimSpace(setNumber), "-")
	if !ok {
		return "en"
	}
	letters := 0
	for letters < len(rest) && rest[letters] >= 'A' && rest[letters] <= 'Z' {
		letters++
	}
	if letters >= 2 {
		if l, ok := regionLanguages[rest[:2]]; ok {
			return l
		}
	}
	if letters >= 1 {
		if l, ok := legacyRegionLanguages[rest[0]]; ok {
			return l
		}
	}
	return "en"
}
