package ocr

import (
	"regexp"
	"strings"
	"unicode"
)

// Look-alike characters Tesseract confuses, by the class the position wants.
var (
	asDigit = map[rune]rune{
		'O': '0', 'Q': '0', 'D': '0', 'U': '0',
		'I': '1', 'L': '1', 'J': '1', 'T': '1', '|': '1',
		'Z': '2', 'S': '5', 'B': '8', 'G': '6',
	}
	asLetter = map[rune]rune{
		'0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B',
	}
)

// digitish is a regexp class of a digit or a letter read in place of one.
const digitish = `[0-9OQDUILJTZSBG]`

// cleanRaw upper-cases raw OCR text, maps dashes and bars to their ASCII
// forms and squeezes whitespace.
func cleanRaw(raw string) string {
	r := strings.NewReplacer("—", "-", "–", "-", "‐", "-", "_", "-", "|", "I", "¦", "I")
	return strings.Join(strings.Fields(strings.ToUpper(r.Replace(raw))), " ")
}

// digits fixes every character of s to a digit where a look-alike allows
// it; ok is false when s holds no real digit (so "SOB" is not 508).
func digits(s string) (string, bool) {
	var b strings.Builder
	real := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			real = true
			b.WriteRune(c)
		case asDigit[c] != 0:
			b.WriteRune(asDigit[c])
		default:
			return "", false
		}
	}
	return b.String(), real
}

// letters fixes every character of s to a letter where a look-alike allows it.
func letters(s string) string {
	return strings.Map(func(c rune) rune {
		if l := asLetter[c]; l != 0 {
			return l
		}
		return c
	}, s)
}

// trimZeros drops leading zeros of a number, keeping one digit.
func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" && s != "" {
		return "0"
	}
	return t
}

// ygoRegions are the region codes of Yu-Gi-Oh! print codes (LOB-EN001),
// two-letter and the early one-letter European ones (LOB-E001).
var ygoRegions = map[string]bool{
	"EN": true, "AE": true, "DE": true, "FR": true, "IT": true, "SP": true, "ES": true,
	"PT": true, "JP": true, "JA": true, "KR": true, "KO": true, "TC": true, "SC": true,
	"E": true, "G": true, "F": true, "I": true, "S": true, "P": true, "J": true, "K": true,
}

var ygoCode = regexp.MustCompile(`([A-Z0-9]{2,5}) ?- ?([A-Z0-9]{3,6})`)

// normalizeYugioh reads a print code: set prefix, '-', optional region,
// three-character number (LOB-EN001, LOB-001, SDY-E001, LDK2-ENS02).
func normalizeYugioh(raw string) (string, string, bool) {
	s := cleanRaw(raw)
	// Tesseract drops faint hyphens: put one back before a region code.
	if !strings.Contains(s, "-") {
		for _, reg := range []string{"EN", "E", "DE", "FR", "IT", "SP", "PT"} {
			if i := strings.LastIndex(s, reg); i >= 2 && len(s)-i >= len(reg)+3 {
				s = s[:i] + "-" + s[i:]
				break
			}
		}
	}
	for _, m := range ygoCode.FindAllStringSubmatch(s, -1) {
		prefix, suffix := ygoPrefix(m[1]), m[2]
		region, num := "", suffix
		switch len(suffix) {
		case 6: // unlikely; a stray character after the number
			region, num = letters(suffix[:2]), suffix[2:5]
		case 5:
			region, num = letters(suffix[:2]), suffix[2:]
		case 4:
			region, num = letters(suffix[:1]), suffix[1:]
		}
		if region != "" && !ygoRegions[region] {
			continue
		}
		tail, ok := digits(num[1:])
		if !ok {
			continue
		}
		// With a region the third-last character may be a letter (ENS02);
		// without one, or when it is an O, it is a digit.
		head := num[:1]
		if region == "" || head == "O" || head == "Q" {
			if head, _ = digits(head); head == "" {
				continue
			}
		}
		return prefix + "-" + region + head + tail, prefix, true
	}
	return "", "", false
}

// ygoPrefix fixes a print-code prefix: letters then optional digits (LOB,
// MP17, LDK2), so a digit followed by a letter was a letter (L0B → LOB).
func ygoPrefix(p string) string {
	b := []rune(p)
	for i := range b {
		if l := asLetter[b[i]]; l != 0 && strings.IndexFunc(string(b[i+1:]), unicode.IsLetter) >= 0 {
			b[i] = l
		}
	}
	return string(b)
}

var (
	// Number prefixes of subsets: Trainer Gallery, Galarian Gallery,
	// Shiny Vault, Radiant Collection, holo and shiny sets.
	pokemonNumber = regexp.MustCompile(`(TG|GG|SV|RC|SH|SL|H)?(` + digitish + `{1,3}) ?/ ?(TG|GG|SV|RC|SH|SL|H)?(` + digitish + `{1,3})`)
	pokemonSet    = regexp.MustCompile(`\b([A-Z]{2,4}[0-9]?) (?:EN|E N)\b`)
)

// normalizePokemon reads "4/102", "025/198", "TG05/TG30" or
// "SVI EN 123/198"; a set code printed before EN is kept.
func normalizePokemon(raw string) (string, string, bool) {
	s := cleanRaw(raw)
	m := pokemonNumber.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	n, ok1 := digits(m[2])
	t, ok2 := digits(m[4])
	if !ok1 || !ok2 {
		return "", "", false
	}
	set := ""
	if sm := pokemonSet.FindStringSubmatch(s); sm != nil {
		set = sm[1]
	}
	// Plain numbers lose their zeros (025 → 25, as catalogued); lettered
	// ones keep them (TG05, SV049).
	if m[1] == "" {
		n = trimZeros(n)
	}
	if m[3] == "" {
		t = trimZeros(t)
	}
	return m[1] + n + "/" + m[3] + t, set, true
}

var mtgNumber = regexp.MustCompile(`(?:^|[^A-Z0-9])(` + digitish + `{1,4})(?: ?/ ?(` + digitish + `{1,4}))?(?: [CURMSLTPB])?(?:$|[^A-Z0-9])`)

// normalizeMTG reads a modern-frame collector number ("0157 C",
// "157/274 R"); the catalogue keeps it without leading zeros. The frame
// pads numbers to four digits and no set numbers past 999, so a four-digit
// reading led by 6, 8 or 9 is the pad zero misread (Tesseract reads the
// small bold 0 as 6 on phone photos): it is dropped.
func normalizeMTG(raw string) (string, string, bool) {
	s := cleanRaw(raw)
	for _, m := range mtgNumber.FindAllStringSubmatch(s, -1) {
		if n, ok := digits(m[1]); ok {
			if len(n) == 4 && strings.ContainsRune("689", rune(n[0])) && m[2] == "" {
				n = n[1:]
			}
			return trimZeros(n), "", true
		}
	}
	return "", "", false
}

var mtgSet = regexp.MustCompile(`\b([A-Z0-9]{3,6})\b`)

// normalizeMTGSet reads the set code before the language ("DMU • EN");
// when the bullet is lost and the language runs into the code ("DMUEN"),
// the language is cut off.
func normalizeMTGSet(raw string) (string, bool) {
	for _, m := range mtgSet.FindAllStringSubmatch(cleanRaw(raw), -1) {
		if m[1] != "EN" && strings.IndexFunc(m[1], unicode.IsLetter) >= 0 {
			if len(m[1]) >= 5 && strings.HasSuffix(m[1], "EN") {
				return m[1][:len(m[1])-2], true
			}
			return m[1], true
		}
	}
	return "", false
}

var fabNumber = regexp.MustCompile(`([A-Z0-9]{3}) ?(` + digitish + `{3})\b`)

// normalizeFAB reads a Flesh and Blood card id: three-letter set, three
// digits (WTR001).
func normalizeFAB(raw string) (string, string, bool) {
	for _, m := range fabNumber.FindAllStringSubmatch(cleanRaw(raw), -1) {
		set := m[1]
		if set != "1HP" {
			set = letters(set)
		}
		if strings.IndexFunc(set, unicode.IsDigit) >= 0 && set != "1HP" {
			continue
		}
		if n, ok := digits(m[2]); ok {
			return set + n, set, true
		}
	}
	return "", "", false
}

var lorcanaNumber = regexp.MustCompile(`(` + digitish + `{1,3}[A-Z]?) ?/ ?(` + digitish + `{1,3})(?:[^A-Z0-9]*([A-Z]{2})[^A-Z0-9]*(` + digitish + `{1,2}))?`)

// normalizeLorcana reads "1/204 • EN • 1": number in set / set size, the
// language, the set number (kept as the set code).
func normalizeLorcana(raw string) (string, string, bool) {
	m := lorcanaNumber.FindStringSubmatch(cleanRaw(raw))
	if m == nil {
		return "", "", false
	}
	num := m[1]
	suffix := ""
	if l := num[len(num)-1]; l >= 'A' && l <= 'Z' && len(num) > 1 {
		if _, isDigit := asDigit[rune(l)]; !isDigit {
			num, suffix = num[:len(num)-1], strings.ToLower(string(l))
		}
	}
	n, ok1 := digits(num)
	t, ok2 := digits(m[2])
	if !ok1 || !ok2 {
		return "", "", false
	}
	set := ""
	if m[4] != "" {
		set, _ = digits(m[4])
		set = trimZeros(set)
	}
	return trimZeros(n) + suffix + "/" + trimZeros(t), set, true
}

var onePieceNumber = regexp.MustCompile(`(?:(OP|0P|ST|5T|EB|E8|PRB|PR8)(` + digitish + `{2})|(P)) ?- ?(` + digitish + `{3})`)

// normalizeOnePiece reads "OP01-001", "ST10-005", "EB01-012", "PRB01-001"
// or the promo "P-001".
func normalizeOnePiece(raw string) (string, string, bool) {
	for _, m := range onePieceNumber.FindAllStringSubmatch(cleanRaw(raw), -1) {
		n, ok := digits(m[4])
		if !ok {
			continue
		}
		if m[3] == "P" {
			return "P-" + n, "P", true
		}
		s, ok := digits(m[2])
		if !ok && m[2] != "OO" { // "OP0O" has no real digit but is fine fixed
			continue
		}
		set := letters(strings.NewReplacer("8", "B").Replace(m[1])) + s
		return set + "-" + n, set, true
	}
	return "", "", false
}
