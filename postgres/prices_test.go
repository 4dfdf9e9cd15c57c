package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

func price(ref catalog.PriceRef, region, typ string, cents int64, daysAgo int, outlier bool) catalog.ImportPrice {
	src, cur := "cardmarket", "EUR"
	if region != catalog.RegionEU {
		src, cur = "pricecharting", "USD"
	}
	return catalog.ImportPrice{Ref: ref, Source: src, Region: region, PriceType: typ, Currency: cur,
		AmountMinor: cents, AsOf: today.AddDate(0, 0, -daysAgo), IsOutlier: outlier}
}

func TestPricesLatestExcludesOutliers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	cm := catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefCardmarket, ID: "273699"}}
	graded := catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefPricecharting, ID: "715593"}}
	in := []catalog.ImportPrice{
		price(cm, catalog.RegionEU, "trend", 29650, 2, false),
		price(cm, catalog.RegionEU, "trend", 30000, 1, false),
		price(cm, catalog.RegionEU, "trend", 999999, 0, true), // outlier: never the headline
		price(cm, catalog.RegionEU, "low", 11490, 0, false),
		price(catalog.PriceRef{Card: &catalog.CardKey{Game: "pokemon", Set: "BASE1", Number: "58/102", Name: "pikachu"}}, catalog.RegionUS, "raw_us", 150, 0, false),
		price(catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefCardmarket, ID: "missing"}}, catalog.RegionEU, "trend", 1, 0, false),
	}
	g := price(graded, catalog.RegionGraded, "graded", 3008573, 1, false)
	g.GradingCompany, g.Grade = "psa", "10"
	in = append(in, g)
	rep, err := f.db.WritePrices(f.ctx, in)
	require.NoError(t, err)
	require.Equal(t, 6, rep.Prices)
	require.Equal(t, 1, rep.Unmatched)

	c, err := f.db.Card(f.ctx, f.cardID(t, "Charizard"))
	require.NoError(t, err)
	eu := c.Printings[0].Variants[0].Prices.EU
	require.Equal(t, []catalog.Price{
		{Source: "cardmarket", PriceType: "low", Currency: "EUR", Amount: 114.90, AsOf: "2026-06-05"},
		{Source: "cardmarket", PriceType: "trend", Currency: "EUR", Amount: 300.00, AsOf: "2026-06-04"},
	}, eu)
	gr := c.Printings[1].Variants[1].Prices.Graded
	require.Equal(t, []catalog.GradedPrice{{Source: "pricecharting", GradingCompany: "psa", Grade: "10", Currency: "USD", Amount: 30085.73, AsOf: "2026-06-04"}}, gr)

	p, err := f.db.Card(f.ctx, f.cardID(t, "Pikachu"))
	require.NoError(t, err)
	require.Equal(t, 1.5, p.Printings[0].Variants[0].Prices.US[0].Amount)

	st, err := f.db.Stats(f.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(6), st.PricePoints)

	// re-import: same points, no new rows; flag the current headline as an outlier
	in[1].IsOutlier = true
	_, err = f.db.WritePrices(f.ctx, in)
	require.NoError(t, err)
	st, err = f.db.Stats(f.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(6), st.PricePoints, "re-import adds nothing")
	c, err = f.db.Card(f.ctx, f.cardID(t, "Charizard"))
	require.NoError(t, err)
	require.Equal(t, 296.50, c.Printings[0].Variants[0].Prices.EU[1].Amount, "headline falls back past the new outlier")
}

func TestHistory(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	cm := catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefCardmarket, ID: "273699"}}
	var in []catalog.ImportPrice
	for d := 0; d < 10; d++ {
		in = append(in, price(cm, catalog.RegionEU, "trend", int64(100+d), d, d == 3))
		in = append(in, price(cm, catalog.RegionEU, "low", int64(50+d), d, false))
	}
	in = append(in, price(cm, catalog.RegionUS, "raw_us", 777, 0, false))
	_, err := f.db.WritePrices(f.ctx, in)
	require.NoError(t, err)
	id := f.cardID(t, "Charizard")

	pts, err := f.db.History(f.ctx, catalog.HistoryQuery{CardID: id, Region: "eu", Days: 5, Today: today})
	require.NoError(t, err)
	require.Len(t, pts, 9, "5 days × 2 series, minus the outlier")
	require.Equal(t, catalog.HistoryPoint{Date: "2026-06-01", Amount: 0.54, Source: "cardmarket", PriceType: "low"}, pts[0])
	for i := 1; i < len(pts); i++ {
		require.LessOrEqual(t, pts[i-1].Date, pts[i].Date)
	}

	us, err := f.db.History(f.ctx, catalog.HistoryQuery{CardID: id, Region: "us", Days: 90, Today: today})
	require.NoError(t, err)
	require.Equal(t, []catalog.HistoryPoint{{Date: "2026-06-05", Amount: 7.77, Source: "pricecharting", PriceType: "raw_us"}}, us)

	// another variant of the card has no history: empty, not null
	c, err := f.db.Card(f.ctx, id)
	require.NoError(t, err)
	other, err := f.db.History(f.ctx, catalog.HistoryQuery{CardID: id, VariantID: c.Printings[1].Variants[0].ID, Region: "eu", Days: 90, Today: today})
	require.NoError(t, err)
	require.NotNil(t, other)
	require.Empty(t, other)

	_, err = f.db.History(f.ctx, catalog.HistoryQuery{CardID: id, VariantID: 99999999, Region: "eu", Days: 90, Today: today})
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
	_, err = f.db.History(f.ctx, catalog.HistoryQuery{CardID: 99999999, Region: "eu", Days: 90, Today: today})
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
}

func TestSealedPrices(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	ref := catalog.PriceRef{Sealed: &catalog.SealedKey{Game: "pokemon", Set: "base1", Name: "Base Set Booster Box", ProductType: "booster_box"}}
	rep, err := f.db.WritePrices(f.ctx, []catalog.ImportPrice{price(ref, catalog.RegionUS, "market", 19471, 0, false), price(ref, catalog.RegionUS, "market", 19460, 1, false)})
	require.NoError(t, err)
	require.Equal(t, 2, rep.Prices)
	var n int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM sealed_products`).Scan(&n))
	require.Equal(t, 1, n)
}
