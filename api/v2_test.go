package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestV2Stats(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var st map[string]any
	res := f.get("/api/v2/stats", &st)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "public, max-age=300", res.Header.Get("Cache-Control"))
	for _, k := range []string{"cards", "price_points", "sets", "games", "variants", "images", "updated_at"} {
		require.Contains(t, st, k)
	}
	require.EqualValues(t, 6, st["games"])
	require.EqualValues(t, 14, st["cards"])
	require.Greater(t, st["price_points"].(float64), 1000.0)
}

func TestV2Games(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var body struct {
		Items []map[string]any `json:"items"`
	}
	require.Equal(t, http.StatusOK, f.get("/api/v2/games", &body).StatusCode)
	var slugs []string
	for _, g := range body.Items {
		slugs = append(slugs, g["slug"].(string))
		require.Contains(t, g, "cards")
		require.Contains(t, g, "sets")
		require.Equal(t, true, g["active"])
	}
	require.Equal(t, []string{"flesh-and-blood", "lorcana", "magic-the-gathering", "one-piece", "pokemon", "yugioh"}, slugs)
}

func TestV2GamePagination(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var g map[string]any
	res := f.get("/api/v2/games/pokemon?page=1&size=1", &g)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.EqualValues(t, 2, g["sets_total"])
	require.EqualValues(t, 1, g["page"])
	require.EqualValues(t, 1, g["size"])
	sets := g["sets_list"].([]any)
	require.Len(t, sets, 1)
	require.EqualValues(t, 1043, sets[0].(map[string]any)["id"])

	f.get("/api/v2/games/pokemon?page=2&size=1", &g)
	require.EqualValues(t, 1188, g["sets_list"].([]any)[0].(map[string]any)["id"])
	f.get("/api/v2/games/pokemon?page=3&size=1", &g)
	require.Empty(t, g["sets_list"])
	require.NotNil(t, g["sets_list"], "empty array, not null")

	// legacy slug resolves to the canonical game
	f.get("/api/v2/games/mtg", &g)
	require.Equal(t, "magic-the-gathering", g["slug"])
}

func TestV2Set(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var s map[string]any
	res := f.get("/api/v2/sets/1043?page=1&size=3", &s)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "Base Set", s["name"])
	require.Equal(t, map[string]any{"slug": "pokemon", "name": "Pokémon TCG"}, s["game"])
	require.EqualValues(t, 6, s["cards_total"])
	cards := s["cards"].([]any)
	require.Len(t, cards, 3)
	first := cards[0].(map[string]any)
	require.Equal(t, map[string]any{"id": 99763.0, "name": "Alakazam", "collector_number": "1/102",
		"rarity": "Rare Holo", "card_type": "Pokémon", "set_id": 1043.0, "thumbnail_url": nil}, first)
}

func TestV2CardResolver(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var body struct {
		Items []map[string]any `json:"items"`
	}
	f.get("/api/v2/cards?game=pokemon&name=Charizard&number=4/102", &body)
	require.Len(t, body.Items, 2)
	ids := []any{body.Items[0]["id"], body.Items[1]["id"]}
	require.ElementsMatch(t, []any{119778.0, 441076.0}, ids)

	f.get("/api/v2/cards?name=charIZARD&limit=1", &body)
	require.Len(t, body.Items, 1)

	var e map[string]any
	res := f.get("/api/v2/cards", &e)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.IsType(t, "", e["detail"])
}

func TestV2CardDetail(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var c map[string]any
	res := f.get("/api/v2/cards/441076", &c)
	require.Equal(t, http.StatusOK, res.StatusCode)
	cc := res.Header.Get("Cache-Control")
	require.True(t, strings.HasPrefix(cc, "public, max-age="), cc)
	require.Equal(t, "Charizard", c["name"])
	refs := c["cross_refs"].(map[string]any)
	require.EqualValues(t, 273699, refs["cardmarket_product_id"])
	require.Nil(t, refs["mtgjson_uuid"])
	require.NotNil(t, c["images"])
	printings := c["printings"].([]any)
	require.Len(t, printings, 3)
	var runs []string
	for _, p := range printings {
		runs = append(runs, p.(map[string]any)["print_run"].(string))
	}
	require.Equal(t, []string{"unlimited", "shadowless", "1st_edition"}, runs)
	v := printings[0].(map[string]any)["variants"].([]any)[0].(map[string]any)
	prices := v["prices"].(map[string]any)
	eu := prices["eu"].([]any)
	require.Len(t, eu, 5)
	for _, p := range eu {
		pm := p.(map[string]any)
		require.Equal(t, "EUR", pm["currency"])
		require.Equal(t, "cardmarket", pm["source"])
		require.Equal(t, "2026-06-05", pm["as_of"])
	}
	graded := prices["graded"].([]any)
	require.Len(t, graded, 8)
	companies := map[string]bool{}
	for _, g := range graded {
		companies[g.(map[string]any)["grading_company"].(string)] = true
	}
	require.Equal(t, map[string]bool{"psa": true, "bgs": true, "other": true}, companies)
	require.Len(t, prices["us"].([]any), 3)
}

func TestV2History(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var h struct {
		Points []struct {
			Date      string  `json:"date"`
			Amount    float64 `json:"amount"`
			Source    string  `json:"source"`
			PriceType string  `json:"price_type"`
		} `json:"points"`
	}
	res := f.get("/api/v2/cards/441076/history?region=eu&days=90", &h)
	require.Equal(t, http.StatusOK, res.StatusCode)
	// 90 days × 5 Cardmarket series, less the flagged outliers
	require.Greater(t, len(h.Points), 400)
	require.LessOrEqual(t, len(h.Points), 450)
	require.Equal(t, "2026-03-08", h.Points[0].Date)
	require.Equal(t, "2026-06-05", h.Points[len(h.Points)-1].Date)
	for _, p := range h.Points {
		require.Equal(t, "cardmarket", p.Source)
		require.Less(t, p.Amount, 5000.0, "outliers are excluded")
	}

	f.get("/api/v2/cards/441076/history?region=us&days=1&variant_id=132840", &h)
	require.Len(t, h.Points, 3)
	f.get("/api/v2/cards/441076/history?region=jp", &h)
	require.Empty(t, h.Points)

	var e map[string]any
	require.Equal(t, http.StatusNotFound, f.get("/api/v2/cards/441076/history?variant_id=99763", &e).StatusCode)
}

func TestV2NotFound(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, p := range []string{"/api/v2/cards/1", "/api/v2/sets/1", "/api/v2/games/nope", "/api/v2/cards/1/history", "/api/v2/nope"} {
		var e map[string]any
		res := f.get(p, &e)
		require.Equal(t, http.StatusNotFound, res.StatusCode, p)
		require.IsType(t, "", e["detail"], p)
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"), p)
	}
}

func TestV2Validation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	type fe struct {
		Loc  []string `json:"loc"`
		Msg  string   `json:"msg"`
		Type string   `json:"type"`
	}
	for path, want := range map[string][]fe{
		"/api/v2/games/pokemon?size=201": {{[]string{"query", "size"}, "ensure this value is less than or equal to 200", "value_error.number.not_le"}},
		"/api/v2/games/pokemon?page=0&size=x": {
			{[]string{"query", "page"}, "ensure this value is greater than or equal to 1", "value_error.number.not_ge"},
			{[]string{"query", "size"}, "value is not a valid integer", "type_error.integer"}},
		"/api/v2/sets/1043?size=251":               {{[]string{"query", "size"}, "ensure this value is less than or equal to 250", "value_error.number.not_le"}},
		"/api/v2/sets/abc":                         {{[]string{"path", "id"}, "value is not a valid integer", "type_error.integer"}},
		"/api/v2/cards?name=x&limit=0":             {{[]string{"query", "limit"}, "ensure this value is greater than or equal to 1", "value_error.number.not_ge"}},
		"/api/v2/cards/99999999999999999999":       {{[]string{"path", "id"}, "value is not a valid integer", "type_error.integer"}},
		"/api/v2/cards/441076/history?days=3651":   {{[]string{"query", "days"}, "ensure this value is less than or equal to 3650", "value_error.number.not_le"}},
		"/api/v2/cards/441076/history?region=mars": {{[]string{"query", "region"}, "value is not a valid enumeration member; permitted: 'eu', 'us', 'jp', 'global'", "type_error.enum"}},
	} {
		var body struct {
			Detail []fe `json:"detail"`
		}
		res := f.get(path, &body)
		require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, path)
		require.Equal(t, want, body.Detail, path)
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for origin, allowed := range map[string]bool{
		"https://collectorstashmarket.com":           true,
		"https://developer.collectorstashmarket.com": true,
		"http://localhost:5173":                      true,
		"http://localhost:8000":                      true,
		"https://shop.example":                       true, // CORS_EXTRA_ORIGINS
		"https://evil.example":                       false,
		"http://localhost:9999":                      false,
	} {
		res := f.get("/api/v2/stats", nil, "Origin", origin)
		got := res.Header.Get("Access-Control-Allow-Origin")
		require.NotEqual(t, "*", got)
		if allowed {
			require.Equal(t, origin, got, origin)
			require.Equal(t, "true", res.Header.Get("Access-Control-Allow-Credentials"))
		} else {
			require.Empty(t, got, origin)
		}
	}
	req, _ := http.NewRequest(http.MethodOptions, f.url+"/api/v2/stats", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "GET")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Less(t, res.StatusCode, 300)
	require.Equal(t, "http://localhost:3000", res.Header.Get("Access-Control-Allow-Origin"))
}

func TestHealth(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, p := range []string{"/health", "/api/health"} {
		var h map[string]any
		res := f.get(p, &h)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.Equal(t, map[string]any{"status": "ok", "db": true}, h)
	}
	var live map[string]any
	res := f.get("/health/live", &live)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, map[string]any{"status": "ok"}, live)
}
