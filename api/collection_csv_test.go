package api_test

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/importer/mtg"
)

// uploadFile posts body as the multipart field "file" (or field).
func (c *client) uploadFile(path, field, name string, body []byte) reply {
	c.f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile(field, name)
	require.NoError(c.f.t, err)
	_, _ = fw.Write(body)
	require.NoError(c.f.t, mw.Close())
	return c.send(http.MethodPost, path, mw.FormDataContentType(), buf.Bytes())
}

func TestCollectionCSV(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t, acctOptions{noLimiter: true, configure: func(f *acct, cfg *api.Config) {
		db := f.db
		_, err := demo.Load(t.Context(), db, db, demo.Options{Today: acctStart, Days: 2})
		require.NoError(t, err)
		game, sets, err := mtg.Parse("../importer/mtg/testdata/legal/M10.json")
		require.NoError(t, err)
		gid, err := db.UpsertGame(t.Context(), game)
		require.NoError(t, err)
		_, err = db.UpsertSet(t.Context(), gid, sets[0])
		require.NoError(t, err)
		cfg.Collection = collection.NewService(db, cfg.Now)
	}})
	u := f.register(uniqueName("csv"))
	count := func() int {
		var l struct {
			Total int `json:"total"`
		}
		u.do(http.MethodGet, "/collection", nil).json(&l)
		return l.Total
	}

	// bad rows: 422 naming the line, nothing written
	for body, line := range map[string]string{
		"card_id,quantity,condition,price_paid\n441076,1,NM,10\n999999999,1,NM,1\n": "line 3",
		"card_id,quantity,condition,price_paid\n441076,1,NM,10\n441076,1,XX,1\n":    "line 3",
		"card_id,quantity,condition,price_paid,variant\n441076,1,NM,10,gold\n":      "line 2",
		"441076,1,NM,10\n": "line 1",
		"Name,Set code,Set name,Collector number,Foil,Quantity\nBolt,M10,Magic 2010,999,normal,1\n": "line 2",
	} {
		r := u.uploadFile("/collection/import", "file", "c.csv", []byte(body))
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		require.Contains(t, r.detail(), line, body)
	}
	require.Zero(t, count())
	r := u.uploadFile("/collection/import", "upload", "c.csv", []byte("card_id\n1\n"))
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	r = u.uploadFile("/collection/import", "file", "c.csv", bytes.Repeat([]byte("x"), 6<<20))
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status, "%s", r.body)

	r = u.uploadFile("/collection/import", "file", "mine.csv",
		[]byte("card_id,quantity,condition,price_paid,variant\n441076,2,LP,300,1st_edition_holo\n600001,1,,,\n"))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.JSONEq(t, `{"format":"csm","imported":2,"cards":3}`, string(r.body))

	// a ManaBox export, by set code + collector number
	r = u.uploadFile("/collection/import", "file", "manabox.csv", []byte(
		"Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,Scryfall ID,Purchase price,Misprint,Altered,Condition,Language,Purchase price currency\n"+
			"Lightning Bolt,M10,Magic 2010,146,foil,common,4,1,x,1.50,false,false,near_mint,en,USD\n"+
			"Ponder,m10,Magic 2010,68,normal,common,1,2,y,,false,false,lightly_played,en,USD\n"))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.JSONEq(t, `{"format":"manabox","imported":2,"cards":5}`, string(r.body))
	require.Equal(t, 4, count())

	// export: the seed's columns, one row per entry
	r = u.do(http.MethodGet, "/collection/export", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
	recs, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, collection.ExportColumns, recs[0])
	require.Len(t, recs, 5)
	var bolt []string
	for _, rec := range recs[1:] {
		if rec[1] == "Lightning Bolt" {
			bolt = rec
		}
	}
	require.Equal(t, []string{"Magic 2010", "magic-the-gathering", "4", "NM", "foil", "1.50"}, bolt[2:8])
	require.True(t, strings.Contains(string(r.body), "Charizard,Base Set,pokemon,2,LP,1st_edition_holo,300.00,"))

	// the export imports back
	r = u.uploadFile("/collection/import", "file", "export.csv", r.body)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.Equal(t, 8, count())
	r = f.anon().uploadFile("/collection/import", "file", "c.csv", []byte("card_id\n1\n"))
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
}
