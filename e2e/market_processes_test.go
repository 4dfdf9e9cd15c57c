package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres/pgtest"
)

// TestMarketSingleSaleAcrossProcesses starts two `csm serve` processes on
// one database and fires 100 buyers at one listing, half at each process:
// exactly one transaction, 99 refusals. Then, ten times, a buy-now on one
// process races the seller accepting a bid on the other: one sale each.
func TestMarketSingleSaleAcrossProcesses(t *testing.T) {
	t.Parallel()
	bin := buildCSM(t)
	db, schemaURL := pgtest.New(t)
	ctx := t.Context()
	gid, err := db.UpsertGame(ctx, catalog.GameInfo{Slug: catalog.GamePokemon, Name: "Pokémon TCG"})
	require.NoError(t, err)
	_, err = db.UpsertSet(ctx, gid, catalog.ImportSet{Code: "base1", Name: "Base Set", Cards: []catalog.ImportCard{{
		Name: "Charizard", CollectorNumber: "4/102",
		Printings: []catalog.ImportPrinting{{Language: "en", PrintRun: "unlimited", Variants: []catalog.ImportVariant{{Finish: "holofoil", Label: "standard"}}}},
	}}})
	require.NoError(t, err)
	var cardID int64
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT id FROM cards WHERE name = 'Charizard'`).Scan(&cardID))

	// accounts and keys straight in the store (registration is rate limited per IP)
	now := time.Now()
	keyOf := func(name string, tier catalog.Tier) string {
		u, err := db.CreateUser(ctx, catalog.NewUser{Username: name, Email: name + "@example.com", PasswordHash: catalog.HashPassword("password-" + name), Tier: tier, CreatedAt: now})
		require.NoError(t, err)
		k := catalog.GenerateKey()
		_, err = db.CreateKey(ctx, catalog.NewKey{UserID: u.ID, Name: "e2e", Prefix: catalog.KeyPrefix(k), Hash: catalog.HashKey(k), CreatedAt: now}, 10, now)
		require.NoError(t, err)
		return k
	}
	seller := keyOf("race-seller", catalog.TierPro)
	// sellers must have verified their e-mail address
	sellerUser, err := db.UserByLogin(ctx, "race-seller")
	require.NoError(t, err)
	require.NoError(t, db.MarkEmailVerified(ctx, sellerUser.ID, now))
	buyers := make([]string, 100)
	for i := range buyers {
		buyers[i] = keyOf(fmt.Sprintf("race-buyer-%02d", i), catalog.TierFree)
	}

	b := make([]byte, 6)
	_, _ = rand.Read(b)
	env := []string{
		"CSM_DATABASE_URL=" + schemaURL,
		"CSM_REDIS_ADDR=" + redisAddr(),
		"CSM_RATELIMIT_PREFIX=e2e:" + hex.EncodeToString(b) + ":",
		"CSM_REALTIME_PREFIX=e2e:" + hex.EncodeToString(b) + ":rt:",
		"CSM_SESSION_SECRET=e2e-session-secret-shared-by-both-processes",
		"CSM_DATA_DIR=" + t.TempDir(),
	}
	addrA, addrB := freeAddr(t), freeAddr(t)
	startServe(t, bin, addrA, env)
	startServe(t, bin, addrB, env)
	urls := []string{"http://" + addrA, "http://" + addrB}

	call := func(url, key string, body any) (int, []byte) {
		var rd io.Reader
		if body != nil {
			j, _ := json.Marshal(body)
			rd = bytes.NewReader(j)
		}
		req, err := http.NewRequest(http.MethodPost, url, rd)
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, out
	}
	st, body := call(urls[0]+"/seller/account", seller, map[string]any{"display_name": "Race Shop", "country": "DE"})
	require.Equal(t, http.StatusOK, st, "%s", body)
	newListing := func() int64 {
		st, body := call(urls[1]+"/seller/listings", seller, map[string]any{"card_id": cardID, "price": 650, "condition": "NM", "accepts_offers": true})
		require.Equal(t, http.StatusCreated, st, "%s", body)
		var l struct {
			ID int64 `json:"id"`
		}
		require.NoError(t, json.Unmarshal(body, &l))
		return l.ID
	}
	sales := func(listingID int64) int {
		var n int
		require.NoError(t, db.Pool.QueryRow(ctx, `SELECT count(*) FROM transactions WHERE listing_id = $1`, listingID).Scan(&n))
		return n
	}

	// 100 buyers, two processes, one unit
	id := newListing()
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	start := make(chan struct{})
	began := time.Now()
	for i, key := range buyers {
		wg.Go(func() {
			<-start
			st, _ := call(fmt.Sprintf("%s/api/listings/%d/buy-now", urls[i%2], id), key, map[string]any{})
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	t.Logf("100 buyers over 2 processes: %v in %v", statuses, time.Since(began))
	require.Equal(t, map[int]int{http.StatusOK: 1, http.StatusConflict: 99}, statuses)
	require.Equal(t, 1, sales(id))

	// buy-now (process B) against bid-accept (process A)
	wins := map[string]int{}
	for round := range 10 {
		id := newListing()
		st, body := call(fmt.Sprintf("%s/api/listings/%d/bids", urls[0], id), buyers[0], map[string]any{"amount": 600})
		require.Equal(t, http.StatusCreated, st, "%s", body)
		var bid struct {
			ID int64 `json:"id"`
		}
		require.NoError(t, json.Unmarshal(body, &bid))
		var stBuy, stAccept int
		start := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			<-start
			stBuy, _ = call(fmt.Sprintf("%s/api/listings/%d/buy-now", urls[1], id), buyers[1+round], nil)
		})
		wg.Go(func() {
			<-start
			stAccept, _ = call(fmt.Sprintf("%s/api/bids/%d/accept", urls[0], bid.ID), seller, nil)
		})
		close(start)
		wg.Wait()
		require.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, []int{stBuy, stAccept}, "round %d", round)
		require.Equal(t, 1, sales(id), "round %d", round)
		if stBuy == http.StatusOK {
			wins["buy-now"]++
		} else {
			wins["bid-accept"]++
		}
	}
	t.Logf("buy-now vs bid-accept over 2 processes, 10 rounds: %v", wins)
}
