package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// loadMTG imports two MTG sets without images (as `csm import mtg` does)
// and returns the fixture.
func loadMTG(t *testing.T) fixture {
	t.Helper()
	f := setup(t)
	gid, err := f.db.UpsertGame(f.ctx, catalog.GameInfo{Slug: catalog.GameMTG, Name: "Magic: The Gathering"})
	require.NoError(t, err)
	card := func(name, num string) catalog.ImportCard {
		return catalog.ImportCard{Name: name, CollectorNumber: num,
			Printings: []catalog.ImportPrinting{{Language: "en", PrintRun: "unlimited", Variants: []catalog.ImportVariant{{Finish: "normal", Label: "standard"}}}}}
	}
	for _, s := range []catalog.ImportSet{
		{Code: "DOM", Name: "Dominaria", Cards: []catalog.ImportCard{card("Llanowar Elves", "168"), card("Shivan Fire", "142"), card("Serra Angel", "33")}},
		{Code: "M19", Name: "Core Set 2019", Cards: []catalog.ImportCard{card("Llanowar Elves", "314"), card("Shivan Dragon", "154"), card("Giant Growth", "183")}},
	} {
		_, err = f.db.UpsertSet(f.ctx, gid, s)
		require.NoError(t, err)
	}
	f.load(t) // and a Pokémon set
	return f
}

func names(infos []catalog.CardInfo) []string {
	out := make([]string, len(infos))
	for i, c := range infos {
		out[i] = c.Name + "/" + c.SetCode + "/" + c.Number
	}
	return out
}

func TestRecognitionCardsLikeName(t *testing.T) {
	t.Parallel()
	f := loadMTG(t)

	// a misread name finds every printing of the name, best name first
	got, err := f.db.CardsLikeName(f.ctx, catalog.GameMTG, "Llanowar Eives", 5)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(got), 2)
	require.ElementsMatch(t, []string{"Llanowar Elves/DOM/168", "Llanowar Elves/M19/314"}, names(got[:2]))
	require.Empty(t, got[0].ImagePath, "imported without images")

	// a truncated read finds the name by word similarity
	got, err = f.db.CardsLikeName(f.ctx, catalog.GameMTG, "shivan drag", 5)
	require.NoError(t, err)
	require.NotEmpty(t, got)
	require.Equal(t, "Shivan Dragon", got[0].Name)

	// the game filter, the limit of distinct names, and nonsense
	got, err = f.db.CardsLikeName(f.ctx, catalog.GamePokemon, "Llanowar Elves", 5)
	require.NoError(t, err)
	require.Empty(t, got)
	got, err = f.db.CardsLikeName(f.ctx, "", "shivan", 1)
	require.NoError(t, err)
	require.Len(t, got, 1)
	for _, text := range []string{"", "xq", "zzzzqqqq", "%", "'; DROP TABLE cards; --"} {
		got, err = f.db.CardsLikeName(f.ctx, "", text, 5)
		require.NoError(t, err, text)
		require.Empty(t, got, text)
	}
}

func TestRecognitionCardsBySetNumber(t *testing.T) {
	t.Parallel()
	f := loadMTG(t)
	got, err := f.db.CardsBySetNumber(f.ctx, catalog.GameMTG, "m19", "0183")
	require.NoError(t, err)
	require.Equal(t, []string{"Giant Growth/M19/183"}, names(got))
	got, err = f.db.CardsBySetNumber(f.ctx, "", "DOM", "168")
	require.NoError(t, err)
	require.Equal(t, []string{"Llanowar Elves/DOM/168"}, names(got))
	for _, q := range [][3]string{{catalog.GameMTG, "DOM", "183"}, {catalog.GamePokemon, "DOM", "168"}, {"", "", "168"}, {"", "DOM", ""}} {
		got, err = f.db.CardsBySetNumber(f.ctx, q[0], q[1], q[2])
		require.NoError(t, err)
		require.Empty(t, got, q)
	}
}
