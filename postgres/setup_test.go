package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
)

type fixture struct {
	ctx context.Context
	db  *postgres.DB
}

func setup(t *testing.T) fixture {
	t.Helper()
	db, _ := pgtest.New(t)
	return fixture{ctx: context.Background(), db: db}
}

var today = time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC)

// sampleSet is a small set with two cards, two printings and xrefs.
func sampleSet() catalog.ImportSet {
	return catalog.ImportSet{
		Code: "base1", Name: "Base Set", Series: "Base", ReleaseDate: "1999-01-09", TotalCards: 102,
		Cards: []catalog.ImportCard{
			{
				Name: "Charizard", CollectorNumber: "4/102", Rarity: "Rare Holo", CardType: "Pokémon",
				XRefs:  []catalog.XRef{{Source: catalog.XRefCardmarket, ID: "273699"}, {Source: catalog.XRefTCGplayer, ID: "106999"}},
				Images: []catalog.ImportImage{{URL: "/static/images/csm/pokemon/4.png", Source: "test", Width: 245, Height: 342, Format: "png"}},
				Printings: []catalog.ImportPrinting{
					{Language: "en", PrintRun: "unlimited", Variants: []catalog.ImportVariant{{Finish: "holofoil", Label: "standard"}}},
					{Language: "en", PrintRun: "1st_edition", Variants: []catalog.ImportVariant{
						{Finish: "holofoil", Label: "standard"},
						{Finish: "foil", Label: "standard", XRefs: []catalog.XRef{{Source: catalog.XRefPricecharting, ID: "715593"}}},
					}},
				},
			},
			{
				Name: "Pikachu", CollectorNumber: "58/102", Rarity: "Common",
				Printings: []catalog.ImportPrinting{{Language: "en", PrintRun: "unlimited", Variants: []catalog.ImportVariant{{Finish: "normal", Label: "standard"}}}},
			},
		},
	}
}

func (f fixture) load(t *testing.T) {
	t.Helper()
	gid, err := f.db.UpsertGame(f.ctx, catalog.GameInfo{Slug: catalog.GamePokemon, Name: "Pokémon TCG"})
	require.NoError(t, err)
	_, err = f.db.UpsertSet(f.ctx, gid, sampleSet())
	require.NoError(t, err)
	require.NoError(t, f.db.RefreshCounters(f.ctx))
}

func (f fixture) cardID(t *testing.T, name string) int64 {
	t.Helper()
	cards, err := f.db.FindCards(f.ctx, catalog.CardFilter{Name: name, Limit: 10})
	require.NoError(t, err)
	require.Len(t, cards, 1)
	return cards[0].ID
}
