package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

type batchAddView struct {
	Added   int `json:"added"`
	Cards   int `json:"cards"`
	Skipped []struct {
		Index  int    `json:"index"`
		ScanID string `json:"scan_id"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

func collectionTotal(t *testing.T, c *client) int {
	t.Helper()
	r := c.do(http.MethodGet, "/collection", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var l struct {
		Total int `json:"total"`
	}
	r.json(&l)
	return l.Total
}

func TestCollectionAddBatch(t *testing.T) {
	t.Parallel()
	f := setupCollection(t)
	alice := f.register(uniqueName("alice"))

	r := alice.do(http.MethodPost, "/collection/add-batch", map[string]any{"scan_session_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ", "items": []map[string]any{
		{"card_id": charizardID, "variant": "1st_edition_holo"},
		{"card_id": blackLotusID, "quantity": 2, "condition": "LP"},
	}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var res batchAddView
	r.json(&res)
	require.Equal(t, 2, res.Added)
	require.Equal(t, 3, res.Cards)
	require.Empty(t, res.Skipped)

	r = alice.do(http.MethodGet, "/collection?sort=name", nil)
	var l struct {
		Items []entryView `json:"items"`
	}
	r.json(&l)
	require.Len(t, l.Items, 2)
	byCard := map[int64]entryView{}
	for _, e := range l.Items {
		byCard[e.CardID] = e
	}
	require.Equal(t, int64(charizard1st), *byCard[charizardID].VariantID)
	require.Equal(t, 2, byCard[blackLotusID].Quantity)
	require.Equal(t, "LP", byCard[blackLotusID].Condition)

	// bad items: 422 naming the item, nothing written
	for name, items := range map[string][]map[string]any{
		"unknown card":    {{"card_id": blueEyesID}, {"card_id": 999999999}},
		"unknown variant": {{"card_id": blueEyesID}, {"card_id": charizardID, "variant": "gold_plated"}},
		"bad condition":   {{"card_id": blueEyesID}, {"card_id": charizardID, "condition": "mint-ish"}},
		"bad quantity":    {{"card_id": blueEyesID}, {"card_id": charizardID, "quantity": 0}},
		"missing card":    {{"card_id": blueEyesID}, {"quantity": 1}},
	} {
		r = alice.do(http.MethodPost, "/collection/add-batch", map[string]any{"items": items})
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s: %s", name, r.body)
		var v struct {
			Detail []struct {
				Loc []string `json:"loc"`
			} `json:"detail"`
		}
		r.json(&v)
		require.Len(t, v.Detail, 1, name)
		require.Equal(t, []string{"body", "items", "1"}, v.Detail[0].Loc[:3], name)
	}
	r = alice.do(http.MethodPost, "/collection/add-batch", map[string]any{"items": []any{}})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/collection/add-batch", map[string]any{"items": "nope"})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	require.Equal(t, 2, collectionTotal(t, alice))

	anon := f.browser()
	r = anon.do(http.MethodPost, "/collection/add-batch", map[string]any{"items": []map[string]any{{"card_id": blueEyesID}}})
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
}

func TestCollectionFromBulkBatch(t *testing.T) {
	t.Parallel()
	f := setupCollection(t)
	ctx := t.Context()
	aliceName := uniqueName("alice")
	alice := f.register(aliceName)
	bob := f.register(uniqueName("bob"))
	u, err := f.db.UserByLogin(ctx, aliceName)
	require.NoError(t, err)

	// a batch of four: done (top candidate), done then confirmed as
	// another card, failed, still queued
	b := catalog.Batch{ID: "bTESTBATCH" + aliceName, UserID: u.ID, Total: 4}
	for i := range 4 {
		b.Scans = append(b.Scans, catalog.Scan{ID: b.ID + "-" + string(rune('a'+i)), BatchID: b.ID, Index: i, UserID: u.ID, ImagePath: "x.webp"})
	}
	require.NoError(t, f.db.CreateBatch(ctx, b))
	result := func(card int64) []byte {
		body, err := json.Marshal(catalog.ScanResult{Candidates: []catalog.Candidate{{CardID: card, Score: 0.9}, {CardID: pikachuBaseID, Score: 0.4}}})
		require.NoError(t, err)
		return body
	}
	_, err = f.db.Pool.Exec(ctx, `UPDATE scans SET status = 'done', result = $2 WHERE id = $1`, b.Scans[0].ID, result(blackLotusID))
	require.NoError(t, err)
	_, err = f.db.Pool.Exec(ctx, `UPDATE scans SET status = 'done', result = $2 WHERE id = $1`, b.Scans[1].ID, result(blackLotusID))
	require.NoError(t, err)
	require.NoError(t, f.db.AddFeedback(ctx, b.Scans[1].ID, blueEyesID, "x.webp"))
	_, err = f.db.Pool.Exec(ctx, `UPDATE scans SET status = 'failed', error = 'no card' WHERE id = $1`, b.Scans[2].ID)
	require.NoError(t, err)

	// another user's batch (and an unknown one) is hidden
	r := bob.do(http.MethodPost, "/collection/from-batch/"+b.ID, nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/collection/from-batch/bNOSUCHBATCH", nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	require.Equal(t, 0, collectionTotal(t, bob))

	r = alice.do(http.MethodPost, "/collection/from-batch/"+b.ID, nil)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var res batchAddView
	r.json(&res)
	require.Equal(t, 2, res.Added)
	require.Len(t, res.Skipped, 2)
	require.Equal(t, 2, res.Skipped[0].Index)
	require.Equal(t, "recognition failed", res.Skipped[0].Reason)
	require.Equal(t, "not finished", res.Skipped[1].Reason)

	r = alice.do(http.MethodGet, "/collection", nil)
	var l struct {
		Items []entryView `json:"items"`
	}
	r.json(&l)
	got := map[int64]int{}
	for _, e := range l.Items {
		got[e.CardID] += e.Quantity
	}
	require.Equal(t, map[int64]int{blackLotusID: 1, blueEyesID: 1}, got)

	// a batch with nothing to add: 422, nothing written
	empty := catalog.Batch{ID: "bEMPTYBATCH" + aliceName, UserID: u.ID, Total: 1,
		Scans: []catalog.Scan{{ID: "bEMPTY-" + aliceName, Index: 0, UserID: u.ID, ImagePath: "y.webp"}}}
	require.NoError(t, f.db.CreateBatch(ctx, empty))
	r = alice.do(http.MethodPost, "/collection/from-batch/"+empty.ID, nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	require.Equal(t, 2, collectionTotal(t, alice))
}
