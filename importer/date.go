package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NormalizeDate turns "1999/01/09" or "1999-01-09" into "1999-01-09". A
// value without digits ("", "---") means unknown and yields "".
func NormalizeDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "0123456789") {
		return "", nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' })
	if len(parts) != 3 {
		return "", fmt.Errorf("%q is not a YYYY/MM/DD date", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return "", fmt.Errorf("%q is not a YYYY/MM/DD date", s)
		}
		n[i] = v
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if n[0] < 1000 || n[0] > 9999 || t.Year() != n[0] || int(t.Month()) != n[1] || t.Day() != n[2] {
		return "", fmt.Errorf("%q is not a valid date", s)
	}
	return t.Format(time.DateOnly), nil
}
