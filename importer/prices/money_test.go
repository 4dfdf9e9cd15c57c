package prices

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseMinor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    int64
		present bool
		err     bool
	}{
		{in: "342.27", want: 34227, present: true},
		{in: "$1,234.56", want: 123456, present: true},
		{in: "$12,345,678.90", want: 1234567890, present: true},
		{in: "1234.56", want: 123456, present: true},
		{in: "0.1", want: 10, present: true},
		{in: "0.01", want: 1, present: true},
		{in: "12", want: 1200, present: true},
		{in: "$12", want: 1200, present: true},
		{in: ".5", want: 50, present: true},
		{in: "5.", want: 500, present: true},
		{in: "0", want: 0, present: true},
		{in: "0.0", want: 0, present: true},
		{in: "$0.00", want: 0, present: true},
		{in: " 7.25 ", want: 725, present: true},
		{in: "1.500", want: 150, present: true},
		{in: "0.125", want: 13, present: true}, // exact half up
		{in: "0.124", want: 12, present: true},
		{in: "0.995", want: 100, present: true}, // rounding carries into units
		{in: "2.675", want: 268, present: true}, // float64 would give 267
		{in: "92233720368547758.07", want: math.MaxInt64, present: true},
		{in: "", present: false},
		{in: "   ", present: false},
		{in: "$", err: true},
		{in: ".", err: true},
		{in: "$.", err: true},
		{in: "-1.00", err: true},
		{in: "+1.00", err: true},
		{in: "1e3", err: true},
		{in: "abc", err: true},
		{in: "1.2.3", err: true},
		{in: "1,23", err: true},
		{in: "1234,567", err: true},
		{in: ",123", err: true},
		{in: "1,,234", err: true},
		{in: "1.2,5", err: true},
		{in: "€12", err: true},
		{in: "$ 12", err: true},
		{in: "$$12", err: true},
		{in: "N/A", err: true},
		{in: "92233720368547758.08", err: true},
		{in: "99999999999999999999", err: true},
	} {
		got, present, err := ParseMinor(tc.in)
		if tc.err {
			require.ErrorIs(t, err, ErrMoney, "input %q", tc.in)
			continue
		}
		require.NoError(t, err, "input %q", tc.in)
		require.Equal(t, tc.present, present, "input %q", tc.in)
		require.Equal(t, tc.want, got, "input %q", tc.in)
	}
}

// FuzzParseMinor checks ParseMinor never panics, never returns a negative
// amount and round-trips its result through the canonical "units.cc" form.
func FuzzParseMinor(f *testing.F) {
	for _, s := range []string{"342.27", "$1,234.56", "0.1", "12", "", ".5", "0.995", "1e3", "-1", "92233720368547758.07"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, present, err := ParseMinor(s)
		if err != nil || !present {
			require.Zero(t, got)
			return
		}
		require.GreaterOrEqual(t, got, int64(0))
		canon := strconv.FormatInt(got/100, 10) + "." + strconv.FormatInt(got%100/10, 10) + strconv.FormatInt(got%10, 10)
		again, ok, err := ParseMinor(canon)
		require.NoError(t, err, canon)
		require.True(t, ok)
		require.Equal(t, got, again, canon)
	})
}
