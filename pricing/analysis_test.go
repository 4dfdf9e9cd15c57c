package pricing

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func days(start time.Time, minors ...int64) []Day {
	out := make([]Day, len(minors))
	for i, m := range minors {
		out[i] = Day{Date: start.AddDate(0, 0, i), Minor: m}
	}
	return out
}

var d0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFitAndConfidence(t *testing.T) {
	t.Parallel()
	pts := days(d0, 100, 200, 300, 400, 500)
	slope, icpt := fit(pts, pts[len(pts)-1].Date)
	require.InDelta(t, 100, slope, 1e-9)
	require.InDelta(t, 500, icpt, 1e-9)
	require.Equal(t, "low", confidenceOf(9))
	require.Equal(t, "medium", confidenceOf(10))
	require.Equal(t, "medium", confidenceOf(19))
	require.Equal(t, "high", confidenceOf(20))
	p := predict(CardInfo{ID: 1, Name: "x"}, []Series{{Source: "pricecharting", Region: "us", PriceType: "raw_us", Currency: "USD", Points: pts}}, 7)
	require.InDelta(t, 12.0, *p.PredictedPrice, 1e-9)
	require.Equal(t, "low", p.Confidence)
	require.Equal(t, TrendRising, p.Trend)
	require.Len(t, p.FuturePoints, 1)
}

func TestChangeVolatilityTrend(t *testing.T) {
	t.Parallel()
	pts := days(d0, 100, 100, 100, 100, 100, 100, 100, 110)
	require.InDelta(t, 10.0, *change(pts, 7), 1e-9)
	require.Nil(t, change(pts, 30), "the series does not reach back 30 days")
	require.Equal(t, TrendRising, trendOf(change(pts, 7)))
	require.Equal(t, TrendStable, trendOf(nil))
	require.Nil(t, volatility(pts[:2]))
	require.InDelta(t, 0.0, *volatility(days(d0, 100, 100, 100, 100)), 1e-12)
}

func TestBuildChartSkipsShortSeriesAndTakesMedians(t *testing.T) {
	t.Parallel()
	c := buildChart(1, []Series{
		{Finish: "normal", Source: "a", PriceType: "market", Currency: "USD", Points: days(d0, 100, 100, 100, 100, 100)},
		{Finish: "normal", Source: "b", PriceType: "market", Currency: "USD", Points: days(d0, 300, 300, 300, 300, 300)},
		{Finish: "normal", Source: "c", PriceType: "market", Currency: "USD", Points: days(d0, 1, 1, 1, 1, 1)},
		{Finish: "holofoil", Source: "a", PriceType: "market", Currency: "USD", Points: days(d0, 1, 2, 3, 4)},
		{Finish: "normal", Source: "a", PriceType: "graded", Company: "psa", Grade: "10", Currency: "USD", Points: days(d0, 9, 9, 9, 9, 9, 9)},
	})
	require.Len(t, c.Series, 2, "the 4-day holofoil line is skipped")
	require.Equal(t, "normal_PSA_10", c.Series[0].Key, "largest first")
	require.Equal(t, 1.0, c.Series[1].Points[0].Price, "the median of 1, 1.00 and 3.00 is 1.00")
}

func TestBuyLinksAndScores(t *testing.T) {
	t.Parallel()
	l := buildBuyLinks(BuyRefs{CardID: 1, Name: "Charizard", SetName: "Base Set", Game: "pokemon",
		Cardmarket: map[string]string{"": "273699"}, TCGplayer: map[string]string{"holofoil": "106999"}}, "normal")
	require.Equal(t, "https://www.cardmarket.com/en/Pokemon/Products?idProduct=273699", *l.CardmarketURL)
	require.Nil(t, l.TCGplayerURL, "the TCGplayer id names the holofoil only")
	require.Equal(t, "https://www.ebay.com/sch/i.html?_nkw=Charizard+Base+Set", l.EbayURL)
	l = buildBuyLinks(BuyRefs{Name: "Pokémon & Co", Cardmarket: map[string]string{}, TCGplayer: map[string]string{"holofoil": "5"}}, "holo")
	require.Equal(t, "https://www.tcgplayer.com/product/5", *l.TCGplayerURL)
	require.Contains(t, l.EbayURL, "Pok%C3%A9mon+%26+Co+holo")

	require.Equal(t, 25, rarityScore("Secret Rare"))
	require.Equal(t, 18, rarityScore("Rare Holo"))
	require.Equal(t, 4, rarityScore("Common"))
	require.Equal(t, 10, rarityScore(""))
	require.Equal(t, "Strong hold", stashLabel(75))
	require.Equal(t, "Weak", stashLabel(10))
	require.Equal(t, 25, clamp(40))
	require.Equal(t, 0, clamp(-3))
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	rates := Rates{PerEUR: map[string]float64{"EUR": 1, "USD": 1}}
	since := d0
	v := verdict([]Series{
		{Source: "cardmarket", Region: "eu", Currency: "EUR", Points: days(d0, 48410, 48410, 48410)},
		{Source: "pricecharting", Region: "us", Currency: "USD", Points: days(d0, 38578, 38578, 38578)},
	}, "EUR", rates, since)
	require.Equal(t, 484.10, v.Price)
	require.Equal(t, "eu", v.RegionBias)
	require.Equal(t, 1, v.AgreeingSources)
	require.Equal(t, 2, v.ConsideredSources)
	require.InDelta(t, 20.31, v.SpreadPct, 0.01)
	require.Equal(t, "medium", v.Confidence)
	require.Nil(t, verdict(nil, "EUR", rates, since))
	require.Nil(t, velocity(0))
	require.Equal(t, "Hot", velocity(30).Label)
}
