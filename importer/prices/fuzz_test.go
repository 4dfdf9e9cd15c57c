package prices

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

// addFixture seeds f with a testdata file and a few cuts of it.
func addFixture(f *testing.F, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, n := range []int{len(data) / 3, len(data) / 2, len(data) - 7} {
		if n > 0 && n < len(data) {
			f.Add(data[:n])
		}
	}
}

// checkResult asserts the invariants of every parser's result: an error is
// an EINVALID error with nothing returned; otherwise the counts add up and
// every price is complete.
func checkResult(t *testing.T, out []catalog.ImportPrice, st Stats, err error, rowsAddUp bool) {
	t.Helper()
	if !importertest.ParsedOrInvalid(t, err) {
		require.Nil(t, out)
		require.Zero(t, st)
		return
	}
	require.Len(t, out, st.Prices)
	if rowsAddUp {
		require.Equal(t, st.Rows, st.Prices+st.Skipped+st.Duplicates)
	} else {
		require.LessOrEqual(t, st.Skipped+st.Duplicates, st.Rows)
		require.GreaterOrEqual(t, st.Prices, st.Rows-st.Skipped-st.Duplicates) // one or more per kept row
	}
	for _, p := range out {
		require.Positive(t, p.AmountMinor)
		require.False(t, p.AsOf.IsZero())
		require.Equal(t, time.UTC, p.AsOf.Location())
		require.Positive(t, p.Line)
		require.NotEmpty(t, p.Source)
		require.NotEmpty(t, p.Region)
		require.NotEmpty(t, p.PriceType)
		require.NotEmpty(t, p.Currency)
		n := 0
		for _, set := range []bool{p.Ref.XRef != nil, p.Ref.Card != nil, p.Ref.Sealed != nil} {
			if set {
				n++
			}
		}
		require.Equal(t, 1, n, "exactly one way of resolving")
	}
}

func FuzzTCGplayerDaily(f *testing.F) {
	addFixture(f, tcgplayerFixture)
	f.Add([]byte(tcgplayerHeader + "SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-24 16:01:39,49.73,12\n"))
	f.Add([]byte(tcgplayerHeader + "SV01,Card,3M,x 1,2028-02-29,2028-02-29,2027-03-01 00:00:00,1,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, st, err := ParseTCGplayerDaily("daily.csv", bytes.NewReader(data))
		checkResult(t, out, st, err, true)
		if err == nil {
			require.LessOrEqual(t, st.DatesFixed, st.Rows)
		}
	})
}

func FuzzCardmarketGuide(f *testing.F) {
	addFixture(f, "testdata/cardmarket_price_guide.json")
	f.Add([]byte(`{"version":1,"createdAt":"2026-06-05T02:41:02+0200","priceGuides":[{"idProduct":1,"avg":1.5,"trend-foil":"2"}]}`))
	f.Add([]byte(`{"priceGuides":[{"idProduct":"07","avg":null}],"createdAt":"2026-06-05"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, st, err := ParseCardmarketGuide("g.json", bytes.NewReader(data))
		checkResult(t, out, st, err, false)
	})
}

func FuzzPricecharting(f *testing.F) {
	addFixture(f, "testdata/pricecharting-pokemon.csv")
	f.Add([]byte("id,loose-price\n1,$1\n1,\n"))
	asOf := time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, st, err := ParsePricecharting("pc.csv", bytes.NewReader(data), asOf)
		checkResult(t, out, st, err, false)
	})
}

func FuzzDetect(f *testing.F) {
	for _, path := range []string{tcgplayerFixture, "testdata/cardmarket_price_guide.json", "testdata/pricecharting-pokemon.csv"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("x", data[:min(len(data), 300)])
	}
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		format, err := detect(name, head)
		if err != nil {
			require.Equal(t, catalog.EUNSUPPORTED, catalog.ErrorCode(err))
			require.Empty(t, format)
		}
	})
}
