package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/pricing"
)

// TestLegacyRoutesOfEverySlug: each of the 15 legacy TCG slugs has its own
// explicit routes; every one answers with its documented shape, 200 for
// what exists and 404 for what does not (a game without data lists empty
// pages).
func TestLegacyRoutesOfEverySlug(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	for _, slug := range pricing.TCGSlugs {
		for _, path := range []string{"/cards", "/sealed", "/sets"} {
			res := f.get("/"+slug+path, nil)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s%s", slug, path)
		}
		for _, path := range []string{"/cards/999999999", "/sealed/999999999", "/sets/999999999", "/sets/999999999/stats"} {
			res := f.get("/"+slug+path, nil)
			require.Equal(t, http.StatusNotFound, res.StatusCode, "%s%s", slug, path)
		}
	}
	require.Equal(t, http.StatusNotFound, f.get("/api/sets/999999999/stats", nil).StatusCode)
}

// TestBidRejectAndWithdraw: a seller rejects one bid, a bidder withdraws
// another; both show in the bidder's list of bids.
func TestBidRejectAndWithdraw(t *testing.T) {
	t.Parallel()
	m := setupMarketAPI(t)
	seller := m.seller(uniqueName("shop"))
	require.Equal(t, http.StatusOK, seller.do(http.MethodGet, "/seller/account", nil).status)
	l := m.listing(seller, nil)
	r := seller.do(http.MethodGet, "/seller/listings", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), fmt.Sprintf(`"id":%d`, idOf(l, "id")))

	bidder := m.register(uniqueName("bidder"))
	bp := fmt.Sprintf("/api/listings/%d/bids", idOf(l, "id"))
	bid := func(amount int) string {
		r := bidder.do(http.MethodPost, bp, map[string]any{"amount": amount})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		var b map[string]any
		r.json(&b)
		return strconv.FormatInt(idOf(b, "id"), 10)
	}
	first, second := bid(500), bid(550)
	require.Equal(t, http.StatusForbidden, bidder.do(http.MethodPost, "/api/bids/"+first+"/reject", nil).status, "only the seller rejects")
	r = seller.do(http.MethodPost, "/api/bids/"+first+"/reject", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, http.StatusForbidden, seller.do(http.MethodPost, "/api/bids/"+second+"/withdraw", nil).status, "only the bidder withdraws")
	r = bidder.do(http.MethodPost, "/api/bids/"+second+"/withdraw", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = bidder.do(http.MethodGet, "/api/bids", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), "rejected")
	require.Contains(t, string(r.body), "withdrawn")
}

// TestForumPostDelete: the author deletes their reply; another member may not.
func TestForumPostDelete(t *testing.T) {
	t.Parallel()
	f := setupCommunity(t)
	alice, _, _ := f.member("alice")
	bob, _, _ := f.member("bob")
	th := newThread(t, alice, "general", "Binder pages", "Which ones?")
	r := bob.do(http.MethodPost, fmt.Sprintf("/api/forum/threads/%d/posts", th.Thread.ID), map[string]any{"body": "nine-pocket"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var reply struct {
		ID int64 `json:"id"`
	}
	r.json(&reply)
	path := fmt.Sprintf("/api/forum/posts/%d", reply.ID)
	require.Equal(t, http.StatusForbidden, alice.do(http.MethodDelete, path, nil).status)
	r = bob.do(http.MethodDelete, path, nil)
	require.Contains(t, []int{http.StatusOK, http.StatusNoContent}, r.status, "%s", r.body)
	r = bob.do(http.MethodGet, fmt.Sprintf("/api/forum/threads/%d", th.Thread.ID), nil)
	require.Equal(t, http.StatusOK, r.status)
	require.NotContains(t, string(r.body), "nine-pocket", "a deleted reply's text is gone")
}

// TestNotificationSettingsAndCollectionPut: the e-mail opt-in is set with
// POST as with PUT, and a collection entry is replaced with PUT.
func TestNotificationSettingsAndCollectionPut(t *testing.T) {
	t.Parallel()
	nf := setupNotify(t)
	u := nf.register(uniqueName("opt"))
	r := u.do(http.MethodPost, "/api/notifications/settings", map[string]any{"email_enabled": true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = u.do(http.MethodGet, "/api/notifications/settings", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), `"email_enabled":true`)

	r = u.do(http.MethodPost, "/collection/add", map[string]any{"card_id": 441076, "quantity": 1})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var e map[string]any
	r.json(&e)
	path := fmt.Sprintf("/collection/%d", idOf(e, "id"))
	r = u.do(http.MethodPut, path, map[string]any{"quantity": 3, "condition": "LP"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"quantity":3`)
	other := nf.register(uniqueName("other"))
	require.Equal(t, http.StatusNotFound, other.do(http.MethodPut, path, map[string]any{"quantity": 1}).status)
}

// TestBlockedBidderIsRefused: a seller who blocked a user refuses their
// bids (403); after the unblock the bid is taken.
func TestBlockedBidderIsRefused(t *testing.T) {
	t.Parallel()
	m := setupMarketAPI(t)
	sellerName := uniqueName("shop")
	seller := m.seller(sellerName)
	l := m.listing(seller, nil)
	bidderName := uniqueName("pest")
	bidder := m.register(bidderName)
	r := seller.do(http.MethodPost, "/api/blocks", map[string]any{"username": bidderName})
	require.Contains(t, []int{http.StatusOK, http.StatusCreated}, r.status, "%s", r.body)
	bp := fmt.Sprintf("/api/listings/%d/bids", idOf(l, "id"))
	r = bidder.do(http.MethodPost, bp, map[string]any{"amount": 500})
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	r = seller.do(http.MethodDelete, "/api/blocks/"+bidderName, nil)
	require.Contains(t, []int{http.StatusOK, http.StatusNoContent}, r.status, "%s", r.body)
	r = bidder.do(http.MethodPost, bp, map[string]any{"amount": 500})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
}
