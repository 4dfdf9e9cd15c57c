package mtg

import (
	"slices"
	"strings"
)

// languageCodes maps MTGJSON language names to the catalogue's language codes.
var languageCodes = map[string]string{
	"english":             "en",
	"german":              "de",
	"french":              "fr",
	"italian":             "it",
	"spanish":             "es",
	"portuguese":          "pt",
	"portuguese (brazil)": "pt",
	"japanese":            "ja",
	"korean":              "ko",
	"russian":             "ru",
	"chinese simplified":  "zh-hans",
	"chinese traditional": "zh-hant",
	"phyrexian":           "ph",
	"hebrew":              "he",
	"latin":               "la",
	"ancient greek":       "grc",
	"arabic":              "ar",
	"sanskrit":            "sa",
}

// LanguageCode returns the catalogue code of an MTGJSON language name
// ("German" → "de", "Portuguese (Brazil)" → "pt"), "en" for "", and the
// lower-cased name with '-' for other characters when the name is unknown.
func LanguageCode(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" {
		return "en"
	}
	if c, ok := languageCodes[n]; ok {
		return c
	}
	var b strings.Builder
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteByte(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	if s := strings.TrimSuffix(b.String(), "-"); s != "" {
		return s
	}
	return "en"
}

// faceLanguages returns the printing languages of a card face: the languages
// of its foreignData in a foreign-only set, else its own language (English
// when MTGJSON names none).
func faceLanguages(f cardJSON, foreignOnly bool) []string {
	if foreignOnly {
		var out []string
		for _, fd := range f.ForeignData {
			if strings.TrimSpace(fd.Language) != "" {
				out = append(out, LanguageCode(fd.Language))
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return []string{LanguageCode(f.Language)}
}

// sortedLanguages returns the languages of set, English first, then by code.
func sortedLanguages(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for l := range set {
		out = append(out, l)
	}
	slices.Sort(out)
	if i := slices.Index(out, "en"); i > 0 {
		out = append([]string{"en"}, slices.Delete(out, i, i+1)...)
	}
	return out
}
