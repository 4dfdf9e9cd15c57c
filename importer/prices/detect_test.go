package prices

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]Format{
		"testdata/tcgplayer-daily.csv":         FormatTCGplayerDaily,
		"testdata/cardmarket_price_guide.json": FormatCardmarketGuide,
		"testdata/pricecharting-pokemon.csv":   FormatPricecharting,
	} {
		got, err := Detect(path)
		require.NoError(t, err, path)
		require.Equal(t, want, got, path)
	}
	for _, tc := range []struct {
		name, head string
		want       Format
	}{
		{"price_guide_6.json", `{"version":1,"createdAt":"x","meta":` + string(bytes.Repeat([]byte(" "), 100)) + `}`, FormatCardmarketGuide},
		{"x.csv", "\ufeff\"id\",\"console-name\",\"product-name\",\"loose-price\"\r\n1,a,b,$1\r\n", FormatPricecharting},
		{"x.csv", "set,type,period,name,period_start_date,period_end_date,timestamp,holofoil_price,volume", FormatTCGplayerDaily},
	} {
		got, err := detect(tc.name, []byte(tc.head))
		require.NoError(t, err, tc.head)
		require.Equal(t, tc.want, got, tc.head)
	}
	for _, head := range []string{"", `{"data":[]}`, "a,b,c\n1,2,3\n", "\x00\x01"} {
		_, err := detect("other.dat", []byte(head))
		require.ErrorContains(t, err, "other.dat:")
		require.Equal(t, catalog.EUNSUPPORTED, catalog.ErrorCode(err))
	}
	_, err := Detect("testdata/does-not-exist.csv")
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestParseFile(t *testing.T) {
	t.Parallel()
	asOf := date("2026-06-05")
	_, st, err := ParseFile("testdata/tcgplayer-daily.csv", time.Time{})
	require.NoError(t, err)
	require.Equal(t, 30, st.Prices)
	_, st, err = ParseFile("testdata/cardmarket_price_guide.json", time.Time{})
	require.NoError(t, err)
	require.Equal(t, 84, st.Prices)
	out, st, err := ParseFile("testdata/pricecharting-pokemon.csv", asOf)
	require.NoError(t, err)
	require.Equal(t, 35, st.Prices)
	require.Equal(t, asOf, out[0].AsOf)
	_, _, err = ParseFile("testdata/pricecharting-pokemon.csv", time.Time{})
	require.ErrorContains(t, err, "no as-of date")

	// Gzipped files are read through, and errors name the file.
	data, err := os.ReadFile("testdata/cardmarket_price_guide.json")
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err = zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	dir := t.TempDir()
	gz := filepath.Join(dir, "price_guide_6.json.gz")
	require.NoError(t, os.WriteFile(gz, buf.Bytes(), 0o600))
	_, st, err = ParseFile(gz, time.Time{})
	require.NoError(t, err)
	require.Equal(t, 84, st.Prices)

	bad := filepath.Join(dir, "daily.csv")
	require.NoError(t, os.WriteFile(bad, []byte(tcgplayerHeader+
		"SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-24 16:01:39,49.73,12\nSV01,Card,3M,x 1,2025-04-20,2025-04-22,2025-07-24 16:01:39,$$,12\n"), 0o600))
	_, _, err = ParseFile(bad, time.Time{})
	require.ErrorContains(t, err, "daily.csv:3: holofoil_price")
	require.NotContains(t, err.Error(), dir)
	require.Equal(t, catalog.EINVALID, catalog.ErrorCode(err))
}
