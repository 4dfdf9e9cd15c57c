package api_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/pricing"
)

func TestSearch(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	_, err := f.svc.RefreshMarket(context.Background())
	require.NoError(t, err)

	var res pricing.SearchResult
	require.Equal(t, 200, f.get("/api/search?q=Charizard&limit=5", &res).StatusCode)
	require.NotEmpty(t, res.Items)
	require.Equal(t, "Charizard", res.Items[0].Name)
	require.Equal(t, "exact", res.Items[0].Match)
	require.Equal(t, "pokemon", res.Items[0].TCGSlug)
	require.NotNil(t, res.Items[0].BestPrice)
	require.Equal(t, 5, res.Limit)

	// typo-tolerant
	require.Equal(t, 200, f.get("/api/search?q=charzard", &res).StatusCode)
	require.NotEmpty(t, res.Items)
	require.Equal(t, "Charizard", res.Items[0].Name)
	require.Equal(t, "fuzzy", res.Items[0].Match)

	// a typo in one word of a longer name (word similarity at the
	// per-query threshold)
	require.Equal(t, 200, f.get("/api/search?q=white%20dragn", &res).StatusCode)
	require.NotEmpty(t, res.Items)
	require.Equal(t, "Blue-Eyes White Dragon", res.Items[0].Name)
	require.Equal(t, "fuzzy", res.Items[0].Match)
	// a substring in the middle of a name, found without the LIKE arm
	require.Equal(t, 200, f.get("/api/search?q=izard", &res).StatusCode)
	require.NotEmpty(t, res.Items)
	require.Equal(t, "Charizard", res.Items[0].Name)
	require.Equal(t, "contains", res.Items[0].Match)

	// exact before prefix before contains
	require.Equal(t, 200, f.get("/api/search?q=char", &res).StatusCode)
	require.NotEmpty(t, res.Items)
	require.Equal(t, "prefix", res.Items[0].Match)
	// the prefix stage alone fills a small page
	var small pricing.SearchResult
	require.Equal(t, 200, f.get("/api/search?q=char&limit=1", &small).StatusCode)
	require.Len(t, small.Items, 1)
	require.Equal(t, "prefix", small.Items[0].Match)
	require.GreaterOrEqual(t, small.Total, int64(1))
	require.Equal(t, 200, f.get("/api/search?q=charizard&limit=1", &small).StatusCode)
	require.Equal(t, "exact", small.Items[0].Match)

	// filters AND together
	require.Equal(t, 200, f.get("/api/search?q=Charizard&tcg_slug=mtg", &res).StatusCode)
	require.Empty(t, res.Items)
	require.Zero(t, res.Total)
	require.Equal(t, 200, f.get("/api/search?q=Charizard&tcg_slug=pokemon&set_id=1043&rarity=Rare%20Holo", &res).StatusCode)
	require.Len(t, res.Items, 1)
	best, id := *res.Items[0].BestPrice, res.Items[0].ID
	require.Equal(t, 200, f.get("/api/search?q=Charizard&min_price="+url.QueryEscape(ftoa(best+0.01)), &res).StatusCode)
	for _, h := range res.Items {
		require.NotEqual(t, id, h.ID)
		require.Greater(t, *h.BestPrice, best)
	}
	require.Equal(t, 200, f.get("/api/search?q=Charizard&max_price="+url.QueryEscape(ftoa(best)), &res).StatusCode)
	require.Contains(t, ids(res.Items), id)
	for _, h := range res.Items {
		require.LessOrEqual(t, *h.BestPrice, best)
	}

	// set code and paging
	require.Equal(t, 200, f.get("/api/search?q=base1&limit=2", &res).StatusCode)
	require.Len(t, res.Items, 2)
	require.Greater(t, res.Total, int64(2))
	var page2 pricing.SearchResult
	require.Equal(t, 200, f.get("/api/search?q=base1&limit=2&offset=2", &page2).StatusCode)
	require.NotEqual(t, res.Items[0].ID, page2.Items[0].ID)

	// validation: the FastAPI list shape
	var e struct{ Detail []catalog.FieldError }
	require.Equal(t, 422, f.get("/api/search", &e).StatusCode)
	require.Equal(t, []string{"query", "q"}, e.Detail[0].Loc)
	require.Equal(t, "value_error.missing", e.Detail[0].Type)
	require.Equal(t, 422, f.get("/api/search?q=%20%20", &e).StatusCode)
	require.Equal(t, 422, f.get("/api/search?q=x&limit=201", &e).StatusCode)
	require.Equal(t, "value_error.number.not_le", e.Detail[0].Type)
	require.Equal(t, 422, f.get("/api/search?q=x&min_price=abc&tcg_slug=nope", &e).StatusCode)
	require.Len(t, e.Detail, 2)
	require.Equal(t, 422, f.get("/api/search?q=x&min_price=5&max_price=1", &e).StatusCode)
	// wildcards are literal
	require.Equal(t, 200, f.get("/api/search?q=%25_%25", &res).StatusCode)
	require.Empty(t, res.Items)
}

func ftoa(f float64) string { return strconvF(f) }

func ids(hits []pricing.SearchHit) []int64 {
	out := make([]int64, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}
