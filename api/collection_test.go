package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/demo"
)

// Demo catalogue ids the collection tests use.
const (
	charizardID   = 441076 // Base Set Charizard 4/102: unlimited, shadowless, 1st edition holofoil
	charizard1st  = 441226 // its 1st edition variant
	blackLotusID  = 500001
	blueEyesID    = 600001
	pikachuBaseID = 441120
)

// setupCollection is the accounts API with the collection service over
// the demo catalogue (prices ending on the clock's day).
func setupCollection(t *testing.T) *acct {
	t.Helper()
	return setupAccounts(t, acctOptions{noLimiter: true, configure: func(f *acct, cfg *api.Config) {
		db := f.db
		_, err := demo.Load(t.Context(), db, db, demo.Options{Today: acctStart, Days: 10})
		require.NoError(t, err)
		cfg.Collection = collection.NewService(db, cfg.Now)
	}})
}

type entryView struct {
	ID           int64    `json:"id"`
	CardID       int64    `json:"card_id"`
	CardName     string   `json:"card_name"`
	TCGSlug      string   `json:"tcg_slug"`
	SetName      string   `json:"set_name"`
	Quantity     int      `json:"quantity"`
	Condition    string   `json:"condition"`
	Variant      *string  `json:"variant"`
	VariantID    *int64   `json:"variant_id"`
	PricePaid    *float64 `json:"price_paid"`
	Graded       bool     `json:"graded"`
	Grade        *float64 `json:"grade"`
	CurrentValue *float64 `json:"current_value"`
	UnitValue    *float64 `json:"unit_value"`
}

func TestCollectionCRUD(t *testing.T) {
	t.Parallel()
	f := setupCollection(t)
	alice := f.register(uniqueName("alice"))
	bob := f.register(uniqueName("bob"))

	r := alice.do(http.MethodPost, "/collection/add", map[string]any{
		"card_id": charizardID, "quantity": 2, "condition": "nm", "variant": "1st_edition_holo", "price_paid": 300})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var e entryView
	r.json(&e)
	require.Equal(t, "Charizard", e.CardName)
	require.Equal(t, "pokemon", e.TCGSlug)
	require.Equal(t, "Base Set", e.SetName)
	require.Equal(t, "NM", e.Condition)
	require.Equal(t, int64(charizard1st), *e.VariantID)
	require.InDelta(t, 300, *e.PricePaid, 0.001)
	require.NotNil(t, e.CurrentValue)
	require.InDelta(t, *e.UnitValue*2, *e.CurrentValue, 0.011)

	// defaults: quantity 1, NM
	r = alice.do(http.MethodPost, "/collection/add", map[string]any{"card_id": blackLotusID})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var lotus entryView
	r.json(&lotus)
	require.Equal(t, 1, lotus.Quantity)

	// bad input: 422 lists, unknown card 404, bad JSON 400; nothing written
	r = alice.do(http.MethodPost, "/collection/add", map[string]any{"card_id": charizardID, "condition": "MINT", "quantity": 0})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	require.Contains(t, r.detail(), "condition")
	require.Contains(t, r.detail(), "quantity")
	r = alice.do(http.MethodPost, "/collection/add", map[string]any{"card_id": charizardID, "variant": "gold_star"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	require.Contains(t, r.detail(), "1st_edition_holofoil")
	r = alice.do(http.MethodPost, "/collection/add", map[string]any{"card_id": 999999999})
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/collection/add", map[string]any{"card_id": "x"})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/collection/add", map[string]any{"card_id": charizardID, "grade": 11})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)

	var list struct {
		Items []entryView `json:"items"`
		Total int         `json:"total"`
	}
	r = alice.do(http.MethodGet, "/collection?limit=1", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&list)
	require.Equal(t, 2, list.Total)
	require.Len(t, list.Items, 1)
	r = alice.do(http.MethodGet, "/collection?tcg_slug=mtg&sort=value", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&list)
	require.Equal(t, 1, list.Total)
	require.Equal(t, "Black Lotus", list.Items[0].CardName)
	r = alice.do(http.MethodGet, "/collection?limit=500&sort=price", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)

	// update: any field; graded with a grade prices from the graded series
	r = alice.do(http.MethodPatch, "/collection/"+itoa64(e.ID), map[string]any{"quantity": 3, "condition": "LP",
		"graded": true, "grading_company": "psa", "grade": 10})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var up entryView
	r.json(&up)
	require.Equal(t, 3, up.Quantity)
	require.Equal(t, "LP", up.Condition)
	require.True(t, up.Graded)
	require.Greater(t, *up.UnitValue, *e.UnitValue*10, "PSA 10 is priced from its graded series")
	r = alice.do(http.MethodPatch, "/collection/"+itoa64(e.ID), map[string]any{"variant": ""})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&up)
	require.Nil(t, up.VariantID)

	// another user's entry is hidden
	r = bob.do(http.MethodPatch, "/collection/"+itoa64(e.ID), map[string]any{"quantity": 1})
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = bob.do(http.MethodDelete, "/collection/"+itoa64(e.ID), nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = bob.do(http.MethodGet, "/collection", nil)
	r.json(&list)
	require.Zero(t, list.Total)
	r = f.anon().do(http.MethodGet, "/collection", nil)
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)

	r = alice.do(http.MethodDelete, "/collection/"+itoa64(lotus.ID), nil)
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	r = alice.do(http.MethodDelete, "/collection/"+itoa64(lotus.ID), nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = alice.do(http.MethodDelete, "/collection/abc", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
}

func TestPortfolioValue(t *testing.T) {
	t.Parallel()
	f := setupCollection(t)
	u := f.register(uniqueName("val"))
	for _, b := range []map[string]any{
		{"card_id": charizardID, "quantity": 2},
		{"card_id": blueEyesID, "variant": "1st_edition"},
		{"card_id": pikachuBaseID, "variant": "red_cheeks"},
	} {
		r := u.do(http.MethodPost, "/collection/add", b)
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	}
	var v struct {
		TotalValue   float64            `json:"total_value"`
		CardCount    int                `json:"card_count"`
		Change24h    float64            `json:"change_24h"`
		Change24hPct float64            `json:"change_24h_pct"`
		Change7d     float64            `json:"change_7d"`
		ByTCG        map[string]float64 `json:"by_tcg"`
		Currency     string             `json:"currency"`
		TopCard      *struct {
			CardID int64   `json:"card_id"`
			Name   string  `json:"name"`
			Value  float64 `json:"value"`
		} `json:"top_card"`
	}
	r := u.do(http.MethodGet, "/collection/value?currency=EUR", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&v)
	require.Equal(t, "EUR", v.Currency)
	require.Equal(t, 4, v.CardCount)
	require.Greater(t, v.TotalValue, 0.0)
	require.Len(t, v.ByTCG, 2)
	require.InDelta(t, v.TotalValue, v.ByTCG["pokemon"]+v.ByTCG["yugioh"], 0.02)
	require.NotNil(t, v.TopCard)
	require.NotZero(t, v.Change7d, "ten days of a random walk move the value")

	var list struct {
		Items []entryView `json:"items"`
	}
	r = u.do(http.MethodGet, "/collection?currency=EUR&limit=200", nil)
	r.json(&list)
	var sum, top float64
	for _, e := range list.Items {
		require.NotNil(t, e.CurrentValue, "%s", e.CardName)
		sum += *e.CurrentValue
		top = max(top, *e.CurrentValue)
	}
	require.InDelta(t, v.TotalValue, sum, 0.02)
	require.InDelta(t, top, v.TopCard.Value, 0.001)

	r = u.do(http.MethodGet, "/collection/value?currency=GBP", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	var empty struct {
		TotalValue float64 `json:"total_value"`
		TopCard    any     `json:"top_card"`
	}
	r = f.register(uniqueName("empty")).do(http.MethodGet, "/collection/value", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&empty)
	require.Zero(t, empty.TotalValue)
	require.Nil(t, empty.TopCard)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func TestCollectionHistoryAndPage(t *testing.T) {
	t.Parallel()
	f := setupCollection(t)
	u := f.register(uniqueName("hist"))
	r := u.do(http.MethodPost, "/collection/add", map[string]any{"card_id": charizardID, "quantity": 2})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var h struct {
		Currency string `json:"currency"`
		Days     int    `json:"days"`
		Points   []struct {
			Date  string  `json:"date"`
			Value float64 `json:"value"`
		} `json:"points"`
	}
	r = u.do(http.MethodGet, "/collection/history?days=14&currency=EUR", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&h)
	require.Len(t, h.Points, 14)
	require.Equal(t, "2026-06-05", h.Points[13].Date)
	require.Zero(t, h.Points[0].Value, "the demo prices start ten days back")
	require.Greater(t, h.Points[13].Value, 0.0)
	var v struct {
		TotalValue float64 `json:"total_value"`
	}
	u.do(http.MethodGet, "/collection/value?currency=EUR", nil).json(&v)
	require.InDelta(t, v.TotalValue, h.Points[13].Value, 0.001, "today's point is the portfolio value")
	r = u.do(http.MethodGet, "/collection/history?days=0", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)

	r = u.do(http.MethodGet, "/collection", nil, "Accept", "text/html")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, r.header.Get("Content-Type"), "text/html")
	require.Contains(t, string(r.body), "<svg")
	require.Contains(t, string(r.body), "Charizard")
	require.Contains(t, string(r.body), "<polyline")
}
