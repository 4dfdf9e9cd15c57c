package prices

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

func TestParseCardmarketGuideFixture(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/cardmarket_price_guide.json")
	require.NoError(t, err)
	defer f.Close()
	out, st, err := ParseCardmarketGuide("cardmarket_price_guide.json", f)
	require.NoError(t, err)
	// 13 entries: 280001 (line 4) is all null, 280008 appears twice (lines 11, 13).
	require.Equal(t, Stats{Rows: 13, Prices: 84, Skipped: 1, Duplicates: 1}, st)
	require.Len(t, out, 84)

	type key struct {
		id, priceType, finish string
	}
	got := make(map[key]catalog.ImportPrice)
	for _, p := range out {
		require.NotNil(t, p.Ref.XRef)
		require.Nil(t, p.Ref.Card)
		require.Nil(t, p.Ref.Sealed)
		require.Equal(t, catalog.XRefCardmarket, p.Ref.XRef.Source)
		require.Equal(t, "cardmarket", p.Source)
		require.Equal(t, catalog.RegionEU, p.Region)
		require.Equal(t, "EUR", p.Currency)
		require.Equal(t, date("2026-06-05"), p.AsOf)
		require.Empty(t, p.GradingCompany)
		require.Empty(t, p.Grade)
		require.Positive(t, p.AmountMinor)
		require.Contains(t, []string{"avg", "low", "trend", "avg1", "avg7", "avg30"}, p.PriceType)
		require.Contains(t, []string{"", CardmarketFoil}, p.Ref.Finish)
		k := key{p.Ref.XRef.ID, p.PriceType, p.Ref.Finish}
		require.NotContains(t, got, k)
		got[k] = p
	}

	// Line 2: 273699 avg 342.27, low 114.9, trend 296.5, avg1 null, avg7 249.14, avg30 342.27, foil all null.
	require.Equal(t, catalog.ImportPrice{
		Ref:    catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefCardmarket, ID: "273699"}},
		Source: "cardmarket", Region: catalog.RegionEU, PriceType: "avg", Currency: "EUR",
		AmountMinor: 34227, AsOf: date("2026-06-05"), Line: 2,
	}, out[0])
	require.Equal(t, int64(11490), got[key{"273699", "low", ""}].AmountMinor)
	require.Equal(t, int64(29650), got[key{"273699", "trend", ""}].AmountMinor)
	require.Equal(t, int64(24914), got[key{"273699", "avg7", ""}].AmountMinor)
	require.NotContains(t, got, key{"273699", "avg1", ""})
	require.NotContains(t, got, key{"273699", "trend", CardmarketFoil})

	// Line 3: 273700 with both variants.
	require.Equal(t, catalog.ImportPrice{
		Ref:    catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefCardmarket, ID: "273700"}, Finish: CardmarketFoil},
		Source: "cardmarket", Region: catalog.RegionEU, PriceType: "trend", Currency: "EUR",
		AmountMinor: 50, AsOf: date("2026-06-05"), Line: 3,
	}, got[key{"273700", "trend", CardmarketFoil}])
	require.Equal(t, int64(10), got[key{"273700", "trend", ""}].AmountMinor)
	require.Equal(t, int64(52), got[key{"273700", "avg30", CardmarketFoil}].AmountMinor)

	// Line 5: no -foil keys at all; avg1 is an integer (2 → 200).
	require.Equal(t, int64(200), got[key{"280002", "avg1", ""}].AmountMinor)
	require.NotContains(t, got, key{"280002", "avg", CardmarketFoil})
	// Line 6: only foil prices.
	require.NotContains(t, got, key{"280003", "avg", ""})
	require.Equal(t, int64(305), got[key{"280003", "trend", CardmarketFoil}].AmountMinor)
	require.Equal(t, 6, got[key{"280003", "trend", CardmarketFoil}].Line)
	// Line 7: four-digit amounts, exactly.
	require.Equal(t, int64(123456), got[key{"280004", "avg", ""}].AmountMinor)
	require.Equal(t, int64(119999), got[key{"280004", "trend", ""}].AmountMinor)
	require.Equal(t, int64(121010), got[key{"280004", "avg7", ""}].AmountMinor)
	// Line 9: low 0 is no price.
	require.NotContains(t, got, key{"280006", "low", ""})
	require.Equal(t, int64(525), got[key{"280006", "avg", ""}].AmountMinor)
	// Lines 11 and 13: the later entry of 280008 wins.
	require.Equal(t, int64(32), got[key{"280008", "trend", ""}].AmountMinor)
	require.Equal(t, 13, got[key{"280008", "trend", ""}].Line)
	// Line 4: nothing for the all-null product.
	for k := range got {
		require.NotEqual(t, "280001", k.id)
	}
}

func TestParseCardmarketGuideMinified(t *testing.T) {
	t.Parallel()
	in := `{"version":1,"createdAt":"2026-01-01T00:30:00+0100","priceGuides":[{"idProduct":1,"idCategory":1,"avg":0.19,"low":0.02,"trend":0.17,"avg1":null,"avg7":0.17,"avg30":0.19,"avg-foil":null,"low-foil":null,"trend-foil":0.69,"avg1-foil":null,"avg7-foil":null,"avg30-foil":null}],"extra":{"a":[1,2]}}`
	out, st, err := ParseCardmarketGuide("price_guide_1.json", strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, Stats{Rows: 1, Prices: 6}, st)
	// The date as written (2026-01-01 in +01:00), not the UTC instant's (2025-12-31).
	require.Equal(t, date("2026-01-01"), out[0].AsOf)
	require.Equal(t, 1, out[0].Line)
	require.Equal(t, "trend", out[5].PriceType)
	require.Equal(t, CardmarketFoil, out[5].Ref.Finish)
	require.Equal(t, int64(69), out[5].AmountMinor)
}

func TestParseCardmarketGuideEmptyList(t *testing.T) {
	t.Parallel()
	out, st, err := ParseCardmarketGuide("g.json", strings.NewReader(`{"priceGuides":[],"createdAt":"2026-06-05T02:41:02+0200"}`))
	require.NoError(t, err)
	require.Empty(t, out)
	require.Zero(t, st)
}

func TestParseCardmarketGuideMalformed(t *testing.T) {
	t.Parallel()
	const head = "{\"version\":1,\"createdAt\":\"2026-06-05T02:41:02+0200\",\"priceGuides\":[\n"
	const good = "{\"idProduct\":1,\"avg\":1.5},\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "g.json:1: invalid JSON"},
		{"not an object", "[1,2]", "g.json:1:"},
		{"syntax", head + good + good + "{\"idProduct\":3,\"avg\":1.5,,},\n{\"idProduct\":4}]}", "g.json:4: invalid JSON"},
		{"truncated", head + good + "{\"idProduct\":3,\"avg\":1.5", "g.json:3"},
		{"price type", head + good + "{\"idProduct\":3,\"avg\":true}]}", "g.json:3"},
		{"price string", head + good + good + "{\"idProduct\":3,\"trend\":\"cheap\"}]}", "g.json:4"},
		{"negative", head + good + "{\"idProduct\":3,\"low-foil\":-1}]}", `g.json:3: low-foil: invalid amount "-1"`},
		{"exponent", head + "{\"idProduct\":3,\"avg\":1e2}]}", `g.json:2: avg: invalid amount "1e2"`},
		{"missing id", head + good + "{\"avg\":1.5}]}", "g.json:3: missing idProduct"},
		{"fractional id", head + "{\"idProduct\":1.5,\"avg\":1.5}]}", "g.json:2: idProduct 1.5"},
		{"zero id", head + "{\"idProduct\":0,\"avg\":1.5}]}", "g.json:2: idProduct 0"},
		{"no createdAt", "{\"priceGuides\":[{\"idProduct\":1,\"avg\":1}]}", "g.json:1: createdAt: missing"},
		{"bad createdAt", "{\"createdAt\":\"June 5\",\"priceGuides\":[]}", `g.json:1: createdAt: bad time "June 5"`},
		{"no priceGuides", "{\"version\":1,\"createdAt\":\"2026-06-05T02:41:02+0200\"}", "g.json:1: no priceGuides"},
		{"version", "{\"version\":2,\"createdAt\":\"2026-06-05T02:41:02+0200\",\"priceGuides\":[]}", "unsupported price guide version 2"},
		{"trailing data", head + good[:len(good)-2] + "]}\n{}", "g.json:3: invalid JSON: data after"},
		{"priceGuides not a list", "{\"createdAt\":\"2026-06-05T02:41:02+0200\",\"priceGuides\":{}}", "g.json:1:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, st, err := ParseCardmarketGuide("g.json", strings.NewReader(tc.in))
			importertest.RequireInvalid(t, err, tc.want, "parse cardmarket guide: ")
			require.Nil(t, out)
			require.Zero(t, st)
		})
	}
}
