package pricing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/pricing"
)

const ecb = `Date, USD, JPY, BGN, GBP, 
6 June 2026, 1.0812, 162.10, 1.9558, 0.8431, 
`

func TestParseRates(t *testing.T) {
	t.Parallel()
	r, err := pricing.ParseRates("eurofxref.csv", strings.NewReader(ecb))
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 6, 6, 0, 0, 0, 0, time.UTC), r.AsOf)
	require.InDelta(t, 1.0812, r.PerEUR["USD"], 1e-9)
	require.Equal(t, 1.0, r.PerEUR["EUR"])
	m, ok := r.Convert(10812, "USD", "EUR")
	require.True(t, ok)
	require.Equal(t, int64(10000), m)
	_, ok = r.Convert(1, "USD", "XXX")
	require.False(t, ok)

	for name, bad := range map[string]string{
		"empty":     "",
		"no row":    "Date, USD\n",
		"bad date":  "Date, USD\nyesterday, 1.1\n",
		"bad rate":  "Date, USD\n6 June 2026, abc\n",
		"negative":  "Date, USD\n6 June 2026, -1\n",
		"bad code":  "Date, US1\n6 June 2026, 1\n",
		"short row": "Date, USD, JPY\n6 June 2026, 1\n",
	} {
		_, err := pricing.ParseRates("f.csv", strings.NewReader(bad))
		require.Error(t, err, name)
		require.Equal(t, catalog.EINVALID, catalog.ErrorCode(err), name)
	}
}

func FuzzParseRates(f *testing.F) {
	f.Add(ecb)
	f.Add("Date, USD\n2026-06-06, 1.1\n")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := pricing.ParseRates("f.csv", strings.NewReader(s))
		if err != nil {
			require.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
			return
		}
		for cur, v := range r.PerEUR {
			require.Len(t, cur, 3)
			require.Positive(t, v)
		}
	})
}
