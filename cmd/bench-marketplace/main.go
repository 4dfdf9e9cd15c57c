// Command bench-marketplace measures the marketplace on loopback against
// the toolbox's Postgres: browse latency (filtered first pages) with
// -listings listings (1M by default) in a scratch schema, listing-create
// latency through the API, and the buy-now race — -buyers buyers split over
// two API servers with their own connection pools, per listing — counting
// sales and refusals. Run it with `make bench-marketplace`.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/cmd/internal/benchserver"
	"github.com/collectorstash/csm/market"
	"github.com/collectorstash/csm/postgres"
)

func main() {
	listings := flag.Int("listings", 1_000_000, "listings generated for the browse benchmark")
	browseN := flag.Int("browse", 400, "browse requests")
	createN := flag.Int("create", 300, "listing creations")
	buyers := flag.Int("buyers", 100, "racing buyers per listing")
	races := flag.Int("races", 5, "listings raced for")
	flag.Parse()
	if err := run(*listings, *browseN, *createN, *buyers, *races); err != nil {
		fmt.Fprintln(os.Stderr, "bench-marketplace:", err)
		os.Exit(1)
	}
}

const schema = "bench_market"

func run(nListings, browseN, createN, nBuyers, races int) error {
	ctx := context.Background()
	sc, err := benchserver.NewScratch(ctx, schema, 2)
	if err != nil {
		return err
	}
	defer sc.Close()
	db := sc.DB
	db2, err := postgres.Open(ctx, sc.URL)
	if err != nil {
		return err
	}
	defer db2.Close()

	quiet := benchserver.Quiet()
	secret := []byte("bench-market-secret-bench-market!!!!")
	serve := func(d *postgres.DB) (string, func(), error) {
		svc := market.New(market.Config{Store: d.Market(), Secret: secret, Log: quiet})
		h, err := api.New(api.Config{Catalog: d, Log: quiet, Accounts: d, Keys: d, SessionSecret: secret, Market: svc})
		if err != nil {
			return "", nil, err
		}
		return benchserver.Listen(h)
	}
	urlA, stopA, err := serve(db)
	if err != nil {
		return err
	}
	defer stopA()
	urlB, stopB, err := serve(db2)
	if err != nil {
		return err
	}
	defer stopB()

	now := time.Now()
	keyOf := func(name string) (string, int64, error) {
		u, err := db.CreateUser(ctx, catalog.NewUser{Username: name, Email: name + "@bench.test", PasswordHash: "x", Tier: catalog.TierEnterprise, CreatedAt: now})
		if err != nil {
			return "", 0, err
		}
		k := catalog.GenerateKey()
		_, err = db.CreateKey(ctx, catalog.NewKey{UserID: u.ID, Name: "bench", Prefix: catalog.KeyPrefix(k), Hash: catalog.HashKey(k), CreatedAt: now}, 100, now)
		return k, u.ID, err
	}
	sellerKey, sellerID, err := keyOf("bench-seller")
	if err != nil {
		return err
	}
	// sellers must have verified their e-mail address
	if err := db.MarkEmailVerified(ctx, sellerID, now); err != nil {
		return err
	}
	if st, body := call(http.MethodPost, urlA+"/seller/account", sellerKey, map[string]any{"display_name": "Bench", "country": "NL"}); st != 200 {
		return fmt.Errorf("become seller: %d %s", st, body)
	}

	// generate the listings
	fmt.Printf("generating %d listings…\n", nListings)
	start := time.Now()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO listings (seller_id, card_id, game_id, price_cents, condition, quantity,
			status, verification_code, created_at, updated_at, expires_at, accepts_offers)
		SELECT $1, c.ids[1 + i % cardinality(c.ids)], c.games[1 + i % cardinality(c.ids)], 50 + (random() * 200000)::bigint,
			(ARRAY['NM','LP','MP','HP','DMG'])[1 + (i % 5)], 1, 'active', 'G' || lpad(to_hex(i), 7, '0'),
			$2::timestamptz - make_interval(secs => i), $2::timestamptz, $2::timestamptz + interval '60 days' - make_interval(secs => i), i % 3 = 0
		FROM generate_series(1, $3) i,
			(SELECT array_agg(id ORDER BY id) ids, array_agg(game_id ORDER BY id) games FROM cards) c`,
		sellerID, now, nListings); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	// steady state: statistics and the visibility map (index-only scans)
	if _, err := db.Pool.Exec(ctx, `VACUUM (ANALYZE) listings`); err != nil {
		return err
	}
	fmt.Printf("generated in %v\n", time.Since(start).Round(time.Millisecond))

	var slugs []string
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT g.slug FROM games g JOIN cards c ON c.game_id = g.id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		slugs = append(slugs, s)
	}
	rows.Close()

	// browse: filtered first pages
	conds := []string{"NM", "LP", "MP", "HP", "DMG"}
	sorts := []string{"newest", "price_asc", "price_desc"}
	var browse []time.Duration
	for i := range browseN {
		lo := rand.IntN(1000)
		q := fmt.Sprintf("/api/listings?tcg_slug=%s&min_price=%d&max_price=%d&condition=%s&sort=%s&limit=50",
			slugs[i%len(slugs)], lo, lo+200, conds[i%len(conds)], sorts[i%len(sorts)])
		t0 := time.Now()
		st, body := call(http.MethodGet, urlA+q, "", nil)
		if st != 200 {
			return fmt.Errorf("browse %s: %d %s", q, st, body)
		}
		browse = append(browse, time.Since(t0))
	}
	var unfiltered []time.Duration
	for range browseN / 4 {
		t0 := time.Now()
		if st, body := call(http.MethodGet, urlA+"/api/listings?limit=50", "", nil); st != 200 {
			return fmt.Errorf("browse: %d %s", st, body)
		}
		unfiltered = append(unfiltered, time.Since(t0))
	}

	// create
	var cardIDs []int64
	rows, err = db.Pool.Query(ctx, `SELECT id FROM cards LIMIT 200`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		cardIDs = append(cardIDs, id)
	}
	rows.Close()
	var create []time.Duration
	for i := range createN {
		t0 := time.Now()
		st, body := call(http.MethodPost, urlA+"/seller/listings", sellerKey, map[string]any{
			"card_id": cardIDs[i%len(cardIDs)], "price": 1 + float64(i%500), "condition": "NM", "accepts_offers": true})
		if st != 201 {
			return fmt.Errorf("create: %d %s", st, body)
		}
		create = append(create, time.Since(t0))
	}

	// the race
	keys := make([]string, nBuyers)
	for i := range keys {
		if keys[i], _, err = keyOf(fmt.Sprintf("bench-buyer-%d", i)); err != nil {
			return err
		}
	}
	totals := map[int]int{}
	var raceTimes []time.Duration
	for r := range races {
		st, body := call(http.MethodPost, urlA+"/seller/listings", sellerKey, map[string]any{"card_id": cardIDs[r], "price": 650, "condition": "NM"})
		if st != 201 {
			return fmt.Errorf("race listing: %d %s", st, body)
		}
		var l struct {
			ID int64 `json:"id"`
		}
		_ = json.Unmarshal(body, &l)
		var mu sync.Mutex
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i, k := range keys {
			u := urlA
			if i%2 == 1 {
				u = urlB
			}
			wg.Go(func() {
				<-gate
				st, _ := call(http.MethodPost, fmt.Sprintf("%s/api/listings/%d/buy-now", u, l.ID), k, map[string]any{})
				mu.Lock()
				totals[st]++
				mu.Unlock()
			})
		}
		t0 := time.Now()
		close(gate)
		wg.Wait()
		raceTimes = append(raceTimes, time.Since(t0))
		var n int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM transactions WHERE listing_id = $1`, l.ID).Scan(&n); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("race %d: %d transactions", r, n)
		}
	}

	fmt.Printf("\nmarketplace benchmark (%d listings, loopback, toolbox Postgres)\n", nListings)
	fmt.Printf("%-44s %8s %8s %8s   %s\n", "", "p50", "p95", "p99", "target")
	pr := func(name string, d []time.Duration, target string) {
		fmt.Printf("%-44s %8s %8s %8s   %s\n", name, pct(d, 50), pct(d, 95), pct(d, 99), target)
	}
	pr(fmt.Sprintf("browse, filtered first page (n=%d)", len(browse)), browse, "p95 ≤ 20ms")
	pr(fmt.Sprintf("browse, unfiltered first page (n=%d)", len(unfiltered)), unfiltered, "")
	pr(fmt.Sprintf("create listing POST /seller/listings (n=%d)", len(create)), create, "")
	pr(fmt.Sprintf("race: %d buyers, wall time per listing", nBuyers), raceTimes, "")
	fmt.Printf("buy-now race: %d listings × %d buyers over 2 API servers: %d sold, %d refused (409), other %d; double sales: 0\n",
		races, nBuyers, totals[200], totals[409], nBuyers*races-totals[200]-totals[409])
	return nil
}

func pct(d []time.Duration, p int) string {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[i].Round(10 * time.Microsecond).String()
}

var client = benchserver.Client(200)

func call(method, url, key string, body any) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}
