package api_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/pricing"
	"github.com/collectorstash/csm/rediscache"
)

// recorder collects published events.
type recorder struct {
	mu     sync.Mutex
	events []catalog.Event
}

func (r *recorder) Publish(_ context.Context, ev ...catalog.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev...)
	return nil
}

type pricingFixture struct {
	fixture
	db     *postgres.DB
	svc    *pricing.Service
	events *recorder
}

// charizard is the demo's Base Set Charizard (pinned id) and its set.
const (
	charizard = 441076
	baseSet   = 1043
)

// setupPricing serves the API with the pricing routes over the demo
// catalogue (120 days of prices ending at now), a Redis cache under a
// prefix of its own, and a recorder for events.
func setupPricing(t *testing.T) pricingFixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, _ := pgtest.New(t)
	_, err := demo.Load(ctx, db, db, demo.Options{Today: now, Days: 120})
	require.NoError(t, err)
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr()})
	t.Cleanup(func() { _ = rdb.Close() })
	require.NoError(t, rdb.Ping(ctx).Err(), "Redis must run (scripts/toolbox.sh services-up)")
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "test:pricing:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	rec := &recorder{}
	svc := pricing.New(db, pricing.Options{Cache: rediscache.New(rdb), Events: rec, Now: func() time.Time { return now }, Prefix: prefix})
	h, err := api.New(api.Config{
		Catalog: db, Pricing: svc,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now },
	})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)
	return pricingFixture{fixture: fixture{t: t, url: srv.URL}, db: db, svc: svc, events: rec}
}

func noRedirect(t *testing.T, f pricingFixture, path string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(f.url + path)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, path)
}

func TestLegacyCatalogue(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)

	var tcgs struct{ Items []pricing.TCG }
	require.Equal(t, 200, f.get("/tcgs", &tcgs).StatusCode)
	require.Len(t, tcgs.Items, 15)
	counts := map[string]int64{}
	for _, tc := range tcgs.Items {
		counts[tc.Slug] = tc.CardCount
	}
	require.Positive(t, counts["pokemon"])
	require.Positive(t, counts["mtg"], "mtg maps to the v2 magic-the-gathering game")
	require.Zero(t, counts["riftbound"], "a game without data is listed with zero counts")
	for _, slug := range pricing.TCGSlugs {
		noRedirect(t, f, "/tcgs/"+slug)
		noRedirect(t, f, "/"+slug+"/sets")
	}
	var detail map[string]any
	require.Equal(t, 404, f.get("/tcgs/nope", &detail).StatusCode)
	require.Equal(t, "TCG not found", detail["detail"])

	var sets pricing.Page[pricing.LegacySet]
	require.Equal(t, 200, f.get("/pokemon/sets?limit=10", &sets).StatusCode)
	require.NotEmpty(t, sets.Items)
	require.Equal(t, 10, sets.Limit)
	require.Equal(t, 1, sets.Items[0].TCGID)
	var set pricing.LegacySet
	require.Equal(t, 200, f.get("/pokemon/sets/1043", &set).StatusCode)
	require.Equal(t, "Base Set", set.Name)
	require.Equal(t, 404, f.get("/mtg/sets/1043", nil).StatusCode, "a set of another TCG")

	var bad []any
	var e422 struct{ Detail []catalog.FieldError }
	require.Equal(t, 422, f.get("/pokemon/sets?limit=201", &e422).StatusCode)
	require.Equal(t, []string{"query", "limit"}, e422.Detail[0].Loc)
	_ = bad

	var cards pricing.Page[pricing.LegacyCard]
	require.Equal(t, 200, f.get("/pokemon/cards?set_id=1043&name=chari", &cards).StatusCode)
	require.Len(t, cards.Items, 1)
	require.Equal(t, "Charizard", cards.Items[0].Name)
	require.Equal(t, int64(1), cards.Total)
	require.Equal(t, 200, f.get("/pokemon/cards?rarity=rare%20holo&limit=2", &cards).StatusCode)
	require.Len(t, cards.Items, 2)

	var card pricing.LegacyCardDetail
	require.Equal(t, 200, f.get("/pokemon/cards/441076", &card).StatusCode)
	require.NotEmpty(t, card.Prices)
	for _, p := range card.Prices {
		require.Less(t, p.MarketPrice, 100000.0)
	}
	require.Equal(t, 404, f.get("/yugioh/cards/441076", nil).StatusCode)

	var recent struct {
		Items []pricing.LegacyCard
		Since string
	}
	require.Equal(t, 200, f.get("/api/cards/recent?tcg_slug=pokemon", &recent).StatusCode)
	require.NotEmpty(t, recent.Items)
	require.Equal(t, 200, f.get("/api/cards/recent?since=2999-01-01", &recent).StatusCode)
	require.Empty(t, recent.Items)
	require.Equal(t, 422, f.get("/api/cards/recent?since=yesterday", nil).StatusCode)

	var cmp struct{ Items []pricing.LegacyCardDetail }
	require.Equal(t, 200, f.get("/api/compare?ids=441076,441074", &cmp).StatusCode)
	require.Len(t, cmp.Items, 2)
	require.Equal(t, int64(441074), cmp.Items[1].ID)
	require.Equal(t, 422, f.get("/api/compare", nil).StatusCode)
	require.Equal(t, 422, f.get("/api/compare?ids=1,x", nil).StatusCode)
	require.Equal(t, 404, f.get("/api/compare?ids=441076,999999999", nil).StatusCode)

	var links pricing.BuyLinks
	require.Equal(t, 200, f.get("/api/cards/441076/buy-links", &links).StatusCode)
	require.NotNil(t, links.CardmarketURL)
	require.Contains(t, *links.CardmarketURL, "273699")
	require.NotNil(t, links.TCGplayerURL)
	require.Contains(t, *links.TCGplayerURL, "106999")
	require.Contains(t, links.EbayURL, "Charizard+Base+Set")
	require.Equal(t, 404, f.get("/api/cards/999999999/buy-links", nil).StatusCode)

	// set stats and top cards need the summaries of the market job
	_, err := f.svc.RefreshMarket(context.Background())
	require.NoError(t, err)
	var st pricing.SetStats
	require.Equal(t, 200, f.get("/pokemon/sets/1043/stats", &st).StatusCode)
	require.Positive(t, st.PricedCard)
	require.NotNil(t, st.TotalValue)
	var top []pricing.TopCard
	require.Equal(t, 200, f.get("/api/sets/1043/top-cards?limit=2", &top).StatusCode)
	require.Len(t, top, 2)
	require.GreaterOrEqual(t, *top[0].BestPrice, *top[1].BestPrice)
	require.Equal(t, 422, f.get("/api/sets/1043/top-cards?limit=51", nil).StatusCode)
	require.Equal(t, 404, f.get("/api/sets/999999/top-cards", nil).StatusCode)
}

func TestSealedProducts(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	ctx := context.Background()
	var prices []catalog.ImportPrice
	for d := 0; d < 30; d++ {
		prices = append(prices, catalog.ImportPrice{
			Ref:    catalog.PriceRef{Sealed: &catalog.SealedKey{Game: "pokemon", Set: "base1", Name: "Base Set Booster Box", ProductType: "booster_box"}},
			Source: "pricecharting", Region: catalog.RegionUS, PriceType: "sealed", Currency: "USD",
			AmountMinor: int64(1_000_000 + d*100), AsOf: now.AddDate(0, 0, -d).Truncate(24 * time.Hour), IsOutlier: d == 5,
		})
	}
	_, err := f.db.WritePrices(ctx, prices)
	require.NoError(t, err)
	var list pricing.Page[pricing.Sealed]
	require.Equal(t, 200, f.get("/pokemon/sealed", &list).StatusCode)
	require.Len(t, list.Items, 1)
	require.Len(t, list.Items[0].Prices, 1)
	var d pricing.SealedDetail
	require.Equal(t, 200, f.get("/pokemon/sealed/"+itoa(list.Items[0].ID)+"?days=30", &d).StatusCode)
	require.Len(t, d.History, 29, "30 days less the outlier")
	require.Equal(t, 404, f.get("/mtg/sealed/"+itoa(list.Items[0].ID), nil).StatusCode)
	require.Equal(t, 422, f.get("/pokemon/sealed/x", nil).StatusCode)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestEvolutionChain(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	ctx := context.Background()
	gid, err := f.db.UpsertGame(ctx, catalog.GameInfo{Slug: "pokemon", Name: "Pokémon TCG"})
	require.NoError(t, err)
	card := func(n, name, stage, from string) catalog.ImportCard {
		return catalog.ImportCard{Name: name, CollectorNumber: n, CardType: "Pokémon", Stage: stage, EvolvesFrom: from,
			Printings: []catalog.ImportPrinting{{Language: "en", PrintRun: "unlimited", Variants: []catalog.ImportVariant{{Finish: "normal", Label: "standard"}}}}}
	}
	_, err = f.db.UpsertSet(ctx, gid, catalog.ImportSet{Code: "evo", Name: "Evolutions Test", Cards: []catalog.ImportCard{
		card("1", "Charmander", "Basic", ""), card("2", "Charmeleon", "Stage 1", "Charmander"), card("3", "Charizard", "Stage 2", "Charmeleon"),
	}})
	require.NoError(t, err)
	var id int64
	require.NoError(t, f.db.Pool.QueryRow(ctx, `SELECT c.id FROM cards c JOIN sets s ON s.id = c.set_id WHERE s.code = 'evo' AND c.name = 'Charmeleon'`).Scan(&id))
	var ev pricing.Evolution
	require.Equal(t, 200, f.get("/api/cards/"+itoa(id)+"/evolution", &ev).StatusCode)
	require.Len(t, ev.Chain, 3)
	names := []string{ev.Chain[0].Name, ev.Chain[1].Name, ev.Chain[2].Name}
	require.Equal(t, []string{"Charmander", "Charmeleon", "Charizard"}, names)
	require.Equal(t, "Basic", ev.Chain[0].Stage)
	require.Equal(t, id, *ev.Chain[1].CardID)
	// a card without evolution data is its own one-stage chain
	require.Equal(t, 200, f.get("/api/cards/99763/evolution", &ev).StatusCode)
	require.Len(t, ev.Chain, 1)
	require.Equal(t, 404, f.get("/api/cards/999999999/evolution", nil).StatusCode)
}

func strconvF(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// TestPricingRoutesBesideRecognition builds the server with the recognition
// routes too: /api/cards/recognize/… and /api/cards/{id}/… share a prefix.
func TestPricingRoutesBesideRecognition(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	nowFn := func() time.Time { return now }
	scans := scanningFor(t, f.db, uniqueName("pricing"), []byte("pricing-secret-pricing-secret-pricing!"), nowFn)
	h, err := api.New(api.Config{Catalog: f.db, Pricing: f.svc, Scanning: scans, OpenRecognition: true, ValidateImage: func([]byte) error { return nil },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: nowFn})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)
	g := fixture{t: t, url: srv.URL}
	require.Equal(t, 200, g.get("/api/cards/441076/prices", nil).StatusCode)
	require.Equal(t, 200, g.get("/api/cards/recent", nil).StatusCode)
	var body map[string]any
	res := g.get("/api/cards/recognize/not-a-scan", &body)
	require.NotEqual(t, 422, res.StatusCode, "the recognition route answers, not the pricing one: %v", body)
}
