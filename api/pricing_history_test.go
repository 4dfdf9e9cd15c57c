package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/pricing"
)

// addSales stores raw and PSA 10 sold comps of the card over 20 days, one
// of them a flagged outlier.
func addSales(t *testing.T, f pricingFixture, card int64) {
	t.Helper()
	var comps []pricing.NewSoldComp
	day := now.Truncate(24 * time.Hour)
	for i := 0; i < 20; i++ {
		c := pricing.NewSoldComp{CardID: card, SoldComp: pricing.SoldComp{Date: day.AddDate(0, 0, -i), Source: "ebay",
			Minor: int64(40000 + i*100), Currency: "USD", Condition: "Near Mint", Language: "en", Title: "Charizard Base Set",
			URL: "https://www.ebay.com/itm/1"}}
		if i%2 == 0 {
			c.Company, c.Grade, c.Minor = "PSA", "10", c.Minor*10
		}
		comps = append(comps, c)
	}
	comps = append(comps, pricing.NewSoldComp{CardID: card, IsOutlier: true, SoldComp: pricing.SoldComp{Date: day, Source: "ebay",
		Minor: 99_999_900, Currency: "USD"}})
	_, err := f.db.WriteSoldComps(context.Background(), comps)
	require.NoError(t, err)
}

func TestCardPricesAndHistory(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)

	var prices pricing.CardPrices
	require.Equal(t, 200, f.get("/api/cards/441076/prices", &prices).StatusCode)
	require.NotEmpty(t, prices.Sources)
	srcs := map[string]bool{}
	for _, s := range prices.Sources {
		srcs[s.Source] = true
		require.Positive(t, s.MarketPrice)
	}
	require.True(t, srcs["cardmarket"])
	require.Equal(t, 404, f.get("/api/cards/999999999/prices", nil).StatusCode)
	require.Equal(t, 422, f.get("/api/cards/abc/prices", nil).StatusCode)

	var h pricing.History
	require.Equal(t, 200, f.get("/api/cards/441076/history?days=30", &h).StatusCode)
	require.NotEmpty(t, h.Snapshots)
	first := now.AddDate(0, 0, -30).Format(time.DateOnly)
	for _, s := range h.Snapshots {
		require.Greater(t, s.Date, first)
	}
	require.NotNil(t, h.Analysis.Change7d)
	require.NotNil(t, h.Analysis.Change90d, "changes reach beyond the window")
	require.NotNil(t, h.Analysis.Volatility)
	require.Contains(t, []string{"rising", "falling", "stable"}, h.Analysis.Trend)
	require.Equal(t, 200, f.get("/api/cards/441076/history?days=7&source=cardmarket", &h).StatusCode)
	for _, s := range h.Snapshots {
		require.Equal(t, "cardmarket", s.Source)
	}
	var e struct{ Detail []catalog.FieldError }
	require.Equal(t, 422, f.get("/api/cards/441076/history?days=45", &e).StatusCode)
	require.Equal(t, []string{"query", "days"}, e.Detail[0].Loc)

	// the chart: medians per day, no series under 5 points, largest first
	var ch pricing.Chart
	require.Equal(t, 200, f.get("/api/cards/441076/chart", &ch).StatusCode)
	require.NotEmpty(t, ch.Series)
	require.Equal(t, len(ch.Series), ch.TotalSeries)
	require.Equal(t, 5, ch.MinPoints)
	for i, s := range ch.Series {
		require.GreaterOrEqual(t, s.TotalPoints, 5)
		require.Len(t, s.Points, s.TotalPoints)
		if i > 0 {
			require.LessOrEqual(t, s.TotalPoints, ch.Series[i-1].TotalPoints)
		}
		// outliers (20× the level) are excluded
		lo, hi := s.Points[0].Price, s.Points[0].Price
		for _, p := range s.Points {
			lo, hi = min(lo, p.Price), max(hi, p.Price)
		}
		require.Less(t, hi/lo, 5.0, s.Key)
	}
	require.Equal(t, 200, f.get("/api/cards/441076/chart?days=3", &ch).StatusCode)
	require.Empty(t, ch.Series, "3 days: every series under 5 points")

	var snaps pricing.Snapshots
	require.Equal(t, 200, f.get("/api/cards/441076/snapshots?days=30", &snaps).StatusCode)
	require.Equal(t, "pricecharting", snaps.Source)
	require.NotEmpty(t, snaps.Points)
	require.Equal(t, len(snaps.Points), snaps.Count)
	require.Equal(t, 422, f.get("/api/cards/441076/snapshots?days=366", nil).StatusCode)
}

func TestSoldCompsAndTrend(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	addSales(t, f, charizard)

	var agg pricing.SoldAggregates
	require.Equal(t, 200, f.get("/api/cards/441076/sold-comps?days=30", &agg).StatusCode)
	require.Equal(t, 20, agg.TotalSalesPoints, "the outlier is excluded")
	require.Equal(t, 2, agg.TotalGrades)
	require.Equal(t, 200, f.get("/api/cards/441076/sold-comps?grading_company=psa&grade=10", &agg).StatusCode)
	require.Len(t, agg.Summary, 1)
	require.Equal(t, 10, agg.Summary[0].Count)
	require.Equal(t, "PSA", *agg.Summary[0].GradingCompany)
	require.LessOrEqual(t, agg.Summary[0].MinPrice, agg.Summary[0].MedianPrice)
	require.Equal(t, 422, f.get("/api/cards/441076/sold-comps?grade=10", nil).StatusCode)

	var rs pricing.RecentSales
	require.Equal(t, 200, f.get("/api/cards/441076/recent-sales?limit=5", &rs).StatusCode)
	require.Equal(t, "ebay_sales", rs.Source)
	require.Len(t, rs.Sales, 5)
	require.Equal(t, "recent_sale", rs.Sales[0].PriceType)
	require.GreaterOrEqual(t, rs.Sales[0].Date, rs.Sales[4].Date)
	// no sold comps: the history median stands in
	require.Equal(t, 200, f.get("/api/cards/441074/recent-sales?window_days=7", &rs).StatusCode)
	require.Equal(t, "history_median", rs.Source)
	require.NotEmpty(t, rs.Sales)
	require.Equal(t, 422, f.get("/api/cards/441074/recent-sales?limit=501", nil).StatusCode)

	var tr pricing.Trend
	require.Equal(t, 200, f.get("/api/cards/441076/trend?variant=auto", &tr).StatusCode)
	require.NotNil(t, tr.Current)
	for _, k := range []string{"d1", "d7", "d30", "d90", "d365"} {
		require.Contains(t, tr.Deltas, k)
	}
	require.NotNil(t, tr.Deltas["d30"].Pct)
	require.Nil(t, tr.Deltas["d365"].Pct, "120 days of history: no yearly delta")
	require.NotNil(t, tr.AllTimeHigh)
	require.NotNil(t, tr.MarketVerdict)
	require.GreaterOrEqual(t, tr.MarketVerdict.ConsideredSources, 2)
	require.NotNil(t, tr.BuySellSpread)
	tier := tr.BuySellSpread.Tiers["raw"]
	require.LessOrEqual(t, tier.Buy, tier.Mid)
	require.LessOrEqual(t, tier.Mid, tier.Sell)
	require.NotNil(t, tr.Velocity)
	require.Equal(t, "Warm", tr.Velocity.Label, "10 raw sales in 30 days")
	require.Equal(t, 200, f.get("/api/cards/441076/trend?variant=auto&grading_company=psa&grade=10", &tr).StatusCode)
	require.Nil(t, tr.BuySellSpread, "null on graded scopes")
	require.NotNil(t, tr.Current)
	require.Equal(t, 200, f.get("/api/cards/441074/trend?variant=auto", &tr).StatusCode)
	require.Nil(t, tr.Velocity, "no sold comps")
	require.Equal(t, 404, f.get("/api/cards/999999999/trend", nil).StatusCode)
}

func TestPredictionsAndStashScore(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	var p pricing.Prediction
	require.Equal(t, 200, f.get("/api/cards/441076/predict?days_ahead=60", &p).StatusCode)
	require.Equal(t, "high", p.Confidence, "90 daily points")
	require.GreaterOrEqual(t, p.DataPoints, 20)
	require.NotNil(t, p.PredictedPrice)
	require.Equal(t, "pricecharting", *p.Source)
	require.Len(t, p.FuturePoints, 9, "8 weekly points and day 60")
	var e struct{ Detail []catalog.FieldError }
	require.Equal(t, 422, f.get("/api/cards/441076/predict?days_ahead=6", &e).StatusCode)
	require.Equal(t, "value_error.number.not_ge", e.Detail[0].Type)
	require.Equal(t, 422, f.get("/api/cards/441076/predict?days_ahead=366", nil).StatusCode)
	require.Equal(t, 404, f.get("/api/cards/999999999/predict", nil).StatusCode)

	var sc pricing.StashScore
	require.Equal(t, 200, f.get("/api/cards/441076/stash-score", &sc).StatusCode)
	require.Len(t, sc.Components, 4)
	sum := 0
	for _, v := range sc.Components {
		require.GreaterOrEqual(t, v, 0)
		require.LessOrEqual(t, v, 25)
		sum += v
	}
	require.Equal(t, sum, sc.Score)
	require.NotEmpty(t, sc.Label)
}

func TestMarketIntelligence(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	var e map[string]any
	require.Equal(t, 503, f.get("/api/market/movers", &e).StatusCode, "not computed yet")

	rep, err := f.svc.RefreshMarket(context.Background())
	require.NoError(t, err)
	require.Positive(t, rep.Cards)

	var m pricing.Movers
	require.Equal(t, 200, f.get("/api/market/movers?limit=3", &m).StatusCode)
	require.Equal(t, "7d", m.Period)
	require.Equal(t, "all", m.TCG)
	require.LessOrEqual(t, len(m.Gainers), 3)
	require.NotEmpty(t, append(m.Gainers, m.Losers...))
	for i := 1; i < len(m.Gainers); i++ {
		require.GreaterOrEqual(t, m.Gainers[i-1].ChangePct, m.Gainers[i].ChangePct)
	}
	for _, l := range m.Losers {
		require.Negative(t, l.ChangePct)
	}
	require.Equal(t, 200, f.get("/api/market/movers?tcg=pokemon&period=30d&limit=50", &m).StatusCode)
	for _, g := range append(m.Gainers, m.Losers...) {
		require.Equal(t, "pokemon", g.TCGSlug)
	}
	require.Equal(t, 200, f.get("/api/market/movers?tcg=riftbound", &m).StatusCode)
	require.Empty(t, m.Gainers)
	var v struct{ Detail []catalog.FieldError }
	require.Equal(t, 422, f.get("/api/market/movers?period=1y&limit=51", &v).StatusCode)
	require.Len(t, v.Detail, 2)

	var legacy struct{ Items []pricing.Mover }
	require.Equal(t, 200, f.get("/api/market/movers/legacy?direction=down&limit=2", &legacy).StatusCode)
	for _, l := range legacy.Items {
		require.Negative(t, l.ChangePct)
	}
	var sp struct{ Items []pricing.Spread }
	require.Equal(t, 200, f.get("/api/market/spreads?min_spread_pct=0&limit=5", &sp).StatusCode)
	require.NotEmpty(t, sp.Items)
	for _, s := range sp.Items {
		require.GreaterOrEqual(t, s.SpreadPct, 0.0)
		require.GreaterOrEqual(t, len(s.Sources), 2)
	}
	require.Equal(t, 200, f.get("/api/market/spreads?min_spread_pct=1000000", &sp).StatusCode)
	require.Empty(t, sp.Items)
	var st pricing.MarketStats
	require.Equal(t, 200, f.get("/api/market/stats", &st).StatusCode)
	require.Positive(t, st.TotalCards)
	require.Positive(t, st.TotalPrices)
	require.Contains(t, st.Sources, "cardmarket")

	var top struct{ Items []pricing.Prediction }
	require.Equal(t, 200, f.get("/api/predictions/top?limit=3", &top).StatusCode)
	require.Len(t, top.Items, 3)
	require.GreaterOrEqual(t, *top.Items[0].PredictedChangePct, *top.Items[1].PredictedChangePct)

	f.events.mu.Lock()
	defer f.events.mu.Unlock()
	types := map[string]string{}
	for _, ev := range f.events.events {
		types[ev.Type+"@"+ev.Topic] = ev.Topic
	}
	require.Contains(t, types, catalog.FrameMovers+"@"+catalog.TopicMarketMovers)
	require.Contains(t, types, catalog.FramePricesRefreshed+"@"+catalog.TopicMarketMovers)
	require.Contains(t, types, catalog.FramePricesRefreshed+"@tcg:pokemon")
}
