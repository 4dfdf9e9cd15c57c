package postgres_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/generator"
)

// requireDocsCurrent checks that every card has a stored document and that
// it is, byte for byte, what the live build encodes to.
func (f fixture) requireDocsCurrent(t *testing.T, step string) {
	t.Helper()
	rows, err := f.db.Pool.Query(f.ctx, `SELECT c.id, d.body FROM cards c LEFT JOIN card_docs d ON d.card_id = c.id ORDER BY c.id`)
	require.NoError(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var body []byte
		require.NoError(t, rows.Scan(&id, &body))
		require.NotNil(t, body, "%s: card %d has no document", step, id)
		c, err := f.db.Card(f.ctx, id)
		require.NoError(t, err)
		live, err := json.Marshal(c)
		require.NoError(t, err)
		require.Equal(t, string(live), string(body), "%s: card %d", step, id)
		served, err := f.db.CardDocument(f.ctx, id)
		require.NoError(t, err)
		require.Equal(t, body, served)
		n++
	}
	require.NoError(t, rows.Err())
	require.NotZero(t, n)
}

func TestCardDocsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	f.requireDocsCurrent(t, "import")

	cm := catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefCardmarket, ID: "273699"}}
	graded := catalog.PriceRef{XRef: &catalog.XRef{Source: catalog.XRefPricecharting, ID: "715593"}}
	pika := catalog.PriceRef{Card: &catalog.CardKey{Game: "pokemon", Set: "BASE1", Number: "58/102", Name: "pikachu"}}
	in := []catalog.ImportPrice{
		price(cm, catalog.RegionEU, "trend", 29650, 2, false),
		price(cm, catalog.RegionEU, "trend", 30000, 1, false),
		price(cm, catalog.RegionEU, "trend", 999999, 0, true),
		price(cm, catalog.RegionEU, "low", 11490, 0, false),
		price(pika, catalog.RegionUS, "raw_us", 150, 0, false),
		price(pika, catalog.RegionUS, "raw_us_gbp", 1, 0, false),
	}
	in[5].Currency = "GBP"
	g := price(graded, catalog.RegionGraded, "graded", 3008573, 1, false)
	g.GradingCompany, g.Grade = "psa", "10"
	in = append(in, g)
	_, err := f.db.WritePrices(f.ctx, in)
	require.NoError(t, err)
	f.requireDocsCurrent(t, "prices")

	in[1].IsOutlier = true // the headline becomes an outlier
	in[4].AmountMinor = 123456789
	_, err = f.db.WritePrices(f.ctx, in)
	require.NoError(t, err)
	f.requireDocsCurrent(t, "re-import with an outlier")

	gid, err := f.db.UpsertGame(f.ctx, catalog.GameInfo{Slug: catalog.GamePokemon, Name: "Pokémon <TCG> & co"})
	require.NoError(t, err)
	f.requireDocsCurrent(t, "game rename")
	s := sampleSet()
	s.Name = "Base Set (renamed)"
	s.Cards[1].Rarity = "Uncommon"
	s.Cards[1].Images = []catalog.ImportImage{{URL: "/static/p.png", Source: "test", Format: "png"}}
	s.Cards[0].Printings[0].Variants = append(s.Cards[0].Printings[0].Variants, catalog.ImportVariant{Finish: "reverse_holofoil", Label: "standard"})
	_, err = f.db.UpsertSet(f.ctx, gid, s)
	require.NoError(t, err)
	f.requireDocsCurrent(t, "set re-import")
	require.NoError(t, f.db.RefreshCounters(f.ctx))
	f.requireDocsCurrent(t, "counters")
}

func TestCardDocsInvalidatedByOtherWriters(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	id := f.cardID(t, "Charizard")
	_, err := f.db.Pool.Exec(f.ctx, `UPDATE images SET width = 1 WHERE card_id = $1`, id)
	require.NoError(t, err)
	var n int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM card_docs WHERE card_id = $1`, id).Scan(&n))
	require.Zero(t, n, "a change outside the write paths drops the document")
	body, err := f.db.CardDocument(f.ctx, id)
	require.NoError(t, err)
	c, err := f.db.Card(f.ctx, id)
	require.NoError(t, err)
	live, err := json.Marshal(c)
	require.NoError(t, err)
	require.Equal(t, string(live), string(body), "served live while it has none")
	require.Equal(t, 1, *c.Images[0].Width)

	_, err = f.db.CardDocument(f.ctx, 1<<40)
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))

	// counter refreshes keep the documents
	var before int
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM card_docs`).Scan(&before))
	require.NoError(t, f.db.RefreshCounters(f.ctx))
	require.NoError(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM card_docs`).Scan(&n))
	require.Equal(t, before, n)
}

func TestCardDocsAfterBulkLoad(t *testing.T) {
	t.Parallel()
	f := setup(t)
	spec := generator.Spec{Seed: 3, Games: 2, SetsPerGame: 3, Cards: 300, VariantsPerCard: 2, Points: 20000, Days: 30, Today: today}
	_, err := f.db.LoadSynthetic(f.ctx, spec, 2, nil)
	require.NoError(t, err)
	f.requireDocsCurrent(t, "bulk load")
}
