package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/pricing"
)

func TestPriceIntelligence(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)

	var in pricing.Intelligence
	require.Equal(t, 200, f.get("/api/cards/441076/price-intelligence?foil_status=foil", &in).StatusCode)
	require.NotNil(t, in.PriceSummary.MarketPriceEUR)
	require.GreaterOrEqual(t, len(in.SourceBreakdown), 2)
	require.LessOrEqual(t, *in.PriceSummary.LowEUR, *in.PriceSummary.MarketPriceEUR)
	require.LessOrEqual(t, *in.PriceSummary.MarketPriceEUR, *in.PriceSummary.HighEUR)
	require.GreaterOrEqual(t, in.PriceSummary.Confidence, 0.0)
	require.LessOrEqual(t, in.PriceSummary.Confidence, 1.0)
	nm := *in.PriceSummary.MarketPriceEUR
	require.Equal(t, 200, f.get("/api/cards/441076/price-intelligence?foil_status=foil&condition=HP", &in).StatusCode)
	require.InDelta(t, nm*0.5, *in.PriceSummary.MarketPriceEUR, 0.05)
	require.NotEmpty(t, in.CorrelationNotes)
	require.Equal(t, 200, f.get("/api/cards/441076/price-intelligence?foil_status=etched", &in).StatusCode)
	require.Nil(t, in.PriceSummary.MarketPriceEUR, "no etched copies")
	var e struct{ Detail []catalog.FieldError }
	require.Equal(t, 422, f.get("/api/cards/441076/price-intelligence?condition=MINT&foil_status=x", &e).StatusCode)
	require.Len(t, e.Detail, 2)
	require.Equal(t, 404, f.get("/api/cards/999999999/price-intelligence", nil).StatusCode)

	var src pricing.Page[pricing.SourceStat]
	require.Equal(t, 200, f.get("/api/price-intelligence/sources", &src).StatusCode)
	require.GreaterOrEqual(t, src.Total, int64(3))
	require.Equal(t, 200, f.get("/api/price-intelligence/sources?source=cardmarket", &src).StatusCode)
	require.Len(t, src.Items, 1)
	require.Equal(t, []string{"EUR"}, src.Items[0].Currencies)
	require.Equal(t, 422, f.get("/api/price-intelligence/sources?limit=201", nil).StatusCode)

	var cv pricing.Conversion
	require.Equal(t, 200, f.get("/api/price-intelligence/convert?amount=108", &cv).StatusCode)
	require.Equal(t, "USD", cv.FromCurrency)
	require.Equal(t, "EUR", cv.ToCurrency)
	require.InDelta(t, 100.0, cv.Converted, 0.01)
	require.Equal(t, 400, f.get("/api/price-intelligence/convert?from_currency=XXX", nil).StatusCode)
	// a refreshed rates file changes the answer
	_, err := f.svc.RefreshRates(context.Background(), "eurofxref.csv", strings.NewReader("Date, USD\n6 June 2026, 1.25\n"))
	require.NoError(t, err)
	require.Equal(t, 200, f.get("/api/price-intelligence/convert?from_currency=EUR&to_currency=USD&amount=2", &cv).StatusCode)
	require.InDelta(t, 2.5, cv.Converted, 0.001)
	require.Equal(t, "2026-06-06", cv.AsOf)
}
