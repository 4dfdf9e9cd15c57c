package prices

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

func TestParsePricechartingFixture(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/pricecharting-pokemon.csv")
	require.NoError(t, err)
	defer f.Close()
	// Any time of the day, in any zone: its calendar date is used.
	asOf := time.Date(2026, 6, 5, 23, 30, 0, 0, time.FixedZone("PDT", -7*3600))
	out, st, err := ParsePricecharting("pricecharting-pokemon.csv", f, asOf)
	require.NoError(t, err)
	// 12 rows: 5311002 (line 8) has no price, 5311003 (line 9) only $0.00,
	// 5311000 appears on lines 6 and 12.
	require.Equal(t, Stats{Rows: 12, Prices: 35, Skipped: 2, Duplicates: 1}, st)
	require.Len(t, out, 35)

	lines := byLine(out)
	ref := func(id string) catalog.PriceRef {
		return catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefPricecharting, ID: id}}
	}
	price := func(id string, region, priceType, company, grade string, amount int64, line int) catalog.ImportPrice {
		return catalog.ImportPrice{
			Ref: ref(id), Source: "pricecharting", Region: region, PriceType: priceType,
			GradingCompany: company, Grade: grade, Currency: "USD", AmountMinor: amount,
			AsOf: date("2026-06-05"), Line: line,
		}
	}
	// Line 4: 2454551,…,"$2,128.95","$1,850.00","$2,050.00","$2,450.00","$3,100.00","$5,999.99","$12,345.67","$4,200.00","$3,900.50"
	require.Equal(t, []catalog.ImportPrice{
		price("2454551", catalog.RegionUS, "raw_us", "", "", 212895, 4),
		price("2454551", catalog.RegionGraded, "graded", "other", "7", 185000, 4),
		price("2454551", catalog.RegionGraded, "graded", "other", "8", 205000, 4),
		price("2454551", catalog.RegionGraded, "graded", "other", "9", 245000, 4),
		price("2454551", catalog.RegionGraded, "graded", "other", "9.5", 310000, 4),
		price("2454551", catalog.RegionGraded, "graded", "psa", "10", 599999, 4),
		price("2454551", catalog.RegionGraded, "graded", "bgs", "10", 1234567, 4),
		price("2454551", catalog.RegionGraded, "graded", "other", "pc17", 420000, 4),
		price("2454551", catalog.RegionGraded, "graded", "other", "pc18", 390050, 4),
	}, lines[4])
	// Line 3: only loose and PSA 10.
	require.Equal(t, []catalog.ImportPrice{
		price("7103462", catalog.RegionUS, "raw_us", "", "", 1234, 3),
		price("7103462", catalog.RegionGraded, "graded", "psa", "10", 9876, 3),
	}, lines[3])
	// Line 5: quoted name with a comma, "$1100" and "$3,450" forms.
	require.Equal(t, []catalog.ImportPrice{
		price("2454552", catalog.RegionUS, "raw_us", "", "", 89999, 5),
		price("2454552", catalog.RegionGraded, "graded", "other", "9", 110000, 5),
		price("2454552", catalog.RegionGraded, "graded", "psa", "10", 345000, 5),
	}, lines[5])
	// Line 7: ten cents.
	require.Equal(t, []catalog.ImportPrice{price("5311001", catalog.RegionUS, "raw_us", "", "", 10, 7)}, lines[7])
	// Line 10: "$1.5" → 150, "$45.5" → 4550.
	require.Equal(t, int64(150), lines[10][0].AmountMinor)
	require.Equal(t, int64(4550), lines[10][2].AmountMinor)
	// Lines 6 and 12: the later row of 5311000 wins, with only its own prices.
	require.NotContains(t, lines, 6)
	require.Equal(t, []catalog.ImportPrice{
		price("5311000", catalog.RegionUS, "raw_us", "", "", 20500, 12),
		price("5311000", catalog.RegionGraded, "graded", "other", "7", 19100, 12),
	}, lines[12])
	// Line 13: CGC 10 and SGC 10 buckets without BGS.
	require.Len(t, lines[13], 4)
	require.Equal(t, "pc17", lines[13][2].Grade)
	require.Equal(t, int64(25000), lines[13][2].AmountMinor)
	require.Equal(t, "pc18", lines[13][3].Grade)
	require.Equal(t, int64(23000), lines[13][3].AmountMinor)
	require.NotContains(t, lines, 8)
	require.NotContains(t, lines, 9)
}

const pricechartingHeader = "id,console-name,product-name,loose-price,cib-price,new-price,graded-price,box-only-price,manual-only-price,bgs-10-price,condition-17-price,condition-18-price,sales-volume,release-date\n"

func TestParsePricechartingMinimalHeader(t *testing.T) {
	t.Parallel()
	in := "ID,Product-Name,Loose-Price\n42,Pikachu,$1.00\n"
	out, st, err := ParsePricecharting("pc.csv", strings.NewReader(in), date("2026-06-05"))
	require.NoError(t, err)
	require.Equal(t, Stats{Rows: 1, Prices: 1}, st)
	require.Equal(t, "42", out[0].Ref.XRef.ID)
	require.Equal(t, int64(100), out[0].AmountMinor)
}

func TestParsePricechartingMalformed(t *testing.T) {
	t.Parallel()
	good := "7103461,Pokemon Scarlet & Violet,Gardevoir ex #245,$73.60,,,,,,,,,10,2023-03-31\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "pc.csv:1: empty file"},
		{"no id column", "product-name,loose-price\nx,$1\n", `pc.csv:1: missing column "id"`},
		{"no price column", "id,product-name\n1,x\n", "pc.csv:1: no price column"},
		{"bad money", pricechartingHeader + good + good + good + "7103462,Pokemon,Miraidon ex #244,$12.34,abc,,,,,,,,1,\n", `pc.csv:5: cib-price: invalid amount "abc"`},
		{"bad grouping", pricechartingHeader + "7103462,Pokemon,Miraidon ex #244,\"$12,34\",,,,,,,,,1,\n", `pc.csv:2: loose-price: invalid amount "$12,34"`},
		{"negative", pricechartingHeader + "7103462,Pokemon,Miraidon ex #244,-$1.00,,,,,,,,,1,\n", "pc.csv:2: loose-price"},
		{"bad id", pricechartingHeader + good + "x12,Pokemon,Miraidon ex #244,$12.34,,,,,,,,,1,\n", `pc.csv:3: id "x12"`},
		{"empty id", pricechartingHeader + ",Pokemon,Miraidon ex #244,$12.34,,,,,,,,,1,\n", `pc.csv:2: id ""`},
		{"column count", pricechartingHeader + good + "7103462,Pokemon\n", "pc.csv:3: wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, st, err := ParsePricecharting("pc.csv", strings.NewReader(tc.in), date("2026-06-05"))
			importertest.RequireInvalid(t, err, tc.want, "parse pricecharting: ")
			require.Nil(t, out)
			require.Zero(t, st)
		})
	}
}

func TestParsePricechartingNeedsAsOf(t *testing.T) {
	t.Parallel()
	_, _, err := ParsePricecharting("pc.csv", strings.NewReader(pricechartingHeader), time.Time{})
	importertest.RequireInvalid(t, err, "pc.csv: no as-of date")
}
