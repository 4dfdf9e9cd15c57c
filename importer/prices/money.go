package prices

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// ErrMoney is wrapped by every error of ParseMinor.
var ErrMoney = errors.New("invalid amount")

// ParseMinor parses a non-negative decimal money amount into minor units
// (hundredths) without going through floating point: "342.27" → 34227,
// "$1,234.56" → 123456, "12" → 1200, "0.1" → 10, ".5" → 50.
//
// Surrounding spaces and one leading "$" are ignored; commas are accepted as
// thousands separators of the integer part when grouped by three. More than
// two decimals are rounded half up on the exact decimal ("0.125" → 13). An
// empty (or all-space) string means no amount: present is false. A lone "$"
// or ".", signs, exponents, other currency symbols and amounts beyond the
// int64 range are errors wrapping ErrMoney.
func ParseMinor(s string) (minor int64, present bool, err error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, nil
	}
	s = strings.TrimPrefix(s, "$")
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, false, fmt.Errorf("%w %q: no digits", ErrMoney, orig)
	}
	units, err := parseGroupedInt(intPart)
	if err != nil {
		return 0, false, fmt.Errorf("%w %q: %v", ErrMoney, orig, err)
	}
	var cents int64
	for i := 0; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' {
			return 0, false, fmt.Errorf("%w %q: unexpected %q", ErrMoney, orig, c)
		}
		switch {
		case i < 2:
			cents = cents*10 + int64(c-'0')
		case i == 2 && c >= '5':
			cents++ // round half up; may carry to 100, added below
		}
	}
	for i := len(frac); i < 2; i++ {
		cents *= 10
	}
	if units > (math.MaxInt64-cents)/100 {
		return 0, false, fmt.Errorf("%w %q: out of range", ErrMoney, orig)
	}
	return units*100 + cents, true, nil
}

// parseGroupedInt parses the integer part of an amount: digits, optionally
// grouped by three with commas ("1,234,567"). "" is zero.
func parseGroupedInt(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	groups := strings.Split(s, ",")
	var n int64
	for i, g := range groups {
		switch {
		case g == "":
			return 0, errors.New("misplaced comma")
		case i > 0 && len(g) != 3, i == 0 && len(groups) > 1 && len(g) > 3:
			return 0, errors.New("bad thousands grouping")
		}
		for j := 0; j < len(g); j++ {
			c := g[j]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("unexpected %q", c)
			}
			d := int64(c - '0')
			if n > (math.MaxInt64-d)/10 {
				return 0, errors.New("out of range")
			}
			n = n*10 + d
		}
	}
	return n, nil
}
