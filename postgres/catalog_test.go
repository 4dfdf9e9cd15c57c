package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres"
)

func TestImportIsIdempotent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	f.load(t) // a re-import updates, never duplicates

	st, err := f.db.Stats(f.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), st.Games)
	require.Equal(t, int64(1), st.Sets)
	require.Equal(t, int64(2), st.Cards)
	require.Equal(t, int64(4), st.Variants)
	require.Equal(t, int64(1), st.Images)

	g, sets, total, err := f.db.Game(f.ctx, "pokemon", catalog.Page{Page: 1, Size: 50})
	require.NoError(t, err)
	require.Equal(t, int64(1), total)
	require.Equal(t, int64(2), *g.Cards)
	require.Len(t, sets, 1)
	require.Equal(t, "1999-01-09", *sets[0].ReleaseDate)
	require.Equal(t, int64(2), sets[0].CardCount)
}

func TestImportUpdatesChangedFields(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	id := f.cardID(t, "Pikachu")
	gid, err := f.db.UpsertGame(f.ctx, catalog.GameInfo{Slug: catalog.GamePokemon, Name: "Pokémon TCG"})
	require.NoError(t, err)
	s := sampleSet()
	s.Name = "Base Set (renamed)"
	s.Cards[1].Rarity = "Uncommon"
	_, err = f.db.UpsertSet(f.ctx, gid, s)
	require.NoError(t, err)
	c, err := f.db.Card(f.ctx, id)
	require.NoError(t, err)
	require.Equal(t, "Uncommon", *c.Rarity)
	require.Equal(t, "Base Set (renamed)", c.Set.Name)
}

func TestCardDetail(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	c, err := f.db.Card(f.ctx, f.cardID(t, "Charizard"))
	require.NoError(t, err)
	require.Equal(t, "4/102", c.CollectorNumber)
	require.Equal(t, catalog.GameRef{Slug: "pokemon", Name: "Pokémon TCG"}, c.Game)
	require.Equal(t, int64(273699), *c.CrossRefs.CardmarketProductID)
	require.Equal(t, int64(106999), *c.CrossRefs.TCGplayerProductID)
	require.Equal(t, int64(715593), *c.CrossRefs.PricechartingID, "variant-level ids fill in what the card lacks")
	require.Nil(t, c.CrossRefs.ScryfallID)
	require.Len(t, c.Images, 1)
	require.Equal(t, 245, *c.Images[0].Width)
	require.Len(t, c.Printings, 2)
	require.Equal(t, "unlimited", c.Printings[0].PrintRun)
	require.Len(t, c.Printings[1].Variants, 2)
	for _, p := range c.Printings {
		for _, v := range p.Variants {
			require.NotNil(t, v.Prices.EU, "empty arrays, never null")
			require.NotNil(t, v.Prices.US)
			require.NotNil(t, v.Prices.Graded)
		}
	}
}

func TestMissingRowsAreNotFound(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := f.db.Card(f.ctx, 987654)
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
	_, _, _, _, err = f.db.Set(f.ctx, 987654, catalog.Page{Page: 1, Size: 10})
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
	_, _, _, err = f.db.Game(f.ctx, "nope", catalog.Page{Page: 1, Size: 10})
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
}

func TestFindCards(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.load(t)
	for _, tc := range []struct {
		f    catalog.CardFilter
		want []string
	}{
		{catalog.CardFilter{Name: "chari"}, []string{"Charizard"}},
		{catalog.CardFilter{Number: "58/102"}, []string{"Pikachu"}},
		{catalog.CardFilter{Game: "pokemon", Name: "a"}, []string{"Charizard", "Pikachu"}},
		{catalog.CardFilter{Game: "yugioh", Name: "a"}, nil},
		{catalog.CardFilter{Name: "%"}, nil}, // wildcards match literally
		{catalog.CardFilter{Game: "pokemon", Limit: 1}, []string{"Charizard"}},
	} {
		if tc.f.Limit == 0 {
			tc.f.Limit = 25
		}
		cards, err := f.db.FindCards(f.ctx, tc.f)
		require.NoError(t, err)
		var names []string
		for _, c := range cards {
			names = append(names, c.Name)
		}
		require.Equal(t, tc.want, names, "%+v", tc.f)
	}
}

func TestUnavailableStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, "postgres://csm:csm@127.0.0.1:1/csm?sslmode=disable&connect_timeout=2")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Stats(ctx)
	require.Equal(t, catalog.EUNAVAILABLE, catalog.ErrorCode(err))
	require.Equal(t, catalog.EUNAVAILABLE, catalog.ErrorCode(db.Ping(ctx)))
}
