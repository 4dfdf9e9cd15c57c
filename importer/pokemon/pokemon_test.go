package pokemon

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	game, sets, err := Parse("testdata", Options{})
	require.NoError(t, err)
	require.Equal(t, catalog.GameInfo{Slug: catalog.GamePokemon, Name: "Pokémon"}, game)
	require.Len(t, sets, 3)
	importertest.RequireNaturalKeys(t, sets)

	base := sets[0]
	require.Equal(t, "base1", base.Code)
	require.Equal(t, "Base", base.Name)
	require.Equal(t, "Base", base.Series)
	require.Equal(t, "1999-01-09", base.ReleaseDate)
	require.Equal(t, 102, base.TotalCards)
	require.Equal(t, "en", base.Language)
	require.False(t, base.IsPromo)
	require.Len(t, base.Cards, 6)

	charizard := base.Cards[1]
	require.Equal(t, "Charizard", charizard.Name)
	require.Equal(t, "4/102", charizard.CollectorNumber)
	require.Equal(t, "Rare Holo", charizard.Rarity)
	require.Equal(t, "Pokémon", charizard.CardType)
	require.Empty(t, charizard.Images, "no images dir, no image")
	require.Equal(t, []catalog.ImportPrinting{{
		Language: "en", PrintRun: "unlimited", CollectorNumber: "4/102",
		Variants: []catalog.ImportVariant{{Finish: "holofoil", Label: "standard", PrintRarity: "Rare Holo"}},
	}}, charizard.Printings)

	pikachu := base.Cards[2]
	require.Equal(t, "Pikachu", pikachu.Name)
	require.Equal(t, "58/102", pikachu.CollectorNumber)
	require.Equal(t, "normal", pikachu.Printings[0].Variants[0].Finish)

	bill := base.Cards[3]
	require.Equal(t, "Bill", bill.Name)
	require.Equal(t, "Trainer", bill.CardType)

	water := base.Cards[5]
	require.Equal(t, "Water Energy", water.Name)
	require.Equal(t, "102/102", water.CollectorNumber)
	require.Empty(t, water.Rarity, "the source has no rarity")
	require.Equal(t, "normal", water.Printings[0].Variants[0].Finish)

	sv := sets[1]
	require.Equal(t, "sv3pt5", sv.Code)
	require.Equal(t, "151", sv.Name)
	require.Equal(t, "Scarlet & Violet", sv.Series)
	require.Equal(t, "2023-09-22", sv.ReleaseDate)
	require.Equal(t, 165, sv.TotalCards)
	require.Len(t, sv.Cards, 5)
	require.Equal(t, "Charizard ex", sv.Cards[3].Name)
	require.Equal(t, "199/165", sv.Cards[3].CollectorNumber)
	require.Equal(t, "Special Illustration Rare", sv.Cards[3].Rarity)

	mep := sets[2]
	require.Equal(t, "mep", mep.Code)
	require.True(t, mep.IsPromo)
	require.Empty(t, mep.ReleaseDate, `"---" is an unknown date`)
	require.Len(t, mep.Cards, 3)
	meganium := mep.Cards[0]
	require.Equal(t, "Rare Holo", meganium.Rarity, `"RareHolo" is respelled`)
	require.True(t, meganium.Printings[0].IsPromo)
	require.Equal(t, "holofoil", meganium.Printings[0].Variants[0].Finish)
	require.Equal(t, "Double Rare", mep.Cards[2].Rarity)
}

func TestParseDeterministic(t *testing.T) {
	t.Parallel()
	_, a, err := Parse("testdata", Options{ImagesDir: "testdata/images"})
	require.NoError(t, err)
	_, b, err := Parse("testdata", Options{ImagesDir: "testdata/images"})
	require.NoError(t, err)
	require.Equal(t, a, b)
}

func TestParseImages(t *testing.T) {
	t.Parallel()
	_, sets, err := Parse("testdata", Options{ImagesDir: "testdata/images"})
	require.NoError(t, err)
	abs, err := filepath.Abs("testdata/images/base1-4.png")
	require.NoError(t, err)
	require.Equal(t, []catalog.ImportImage{{
		URL: "/static/images/csm/pokemon/base1-4.png", Source: "pokemontcg",
		Width: 6, Height: 8, Format: "png", Path: abs,
	}}, sets[0].Cards[1].Images)
	n := 0
	for _, s := range sets {
		for _, c := range s.Cards {
			n += len(c.Images)
		}
	}
	require.Equal(t, 1, n, "only cards with a local file get an image")
}

func TestParseSetsPTCGOCode(t *testing.T) {
	t.Parallel()
	sets, err := ParseSets("en.json", []byte(`[
  {"id": "base1", "name": "Base", "ptcgoCode": "BS", "releaseDate": "1999/01/09"},
  {"id": "base2", "name": "Jungle", "releaseDate": "1999-06-16", "printedTotal": 0, "total": 64}
]`))
	require.NoError(t, err)
	require.Len(t, sets, 2)
	require.Equal(t, "BS", sets[0].PTCGOCode)
	require.Equal(t, 2, sets[0].Line)
	require.Empty(t, sets[1].PTCGOCode)
	require.Equal(t, "1999-06-16", sets[1].ReleaseDate)
	require.Equal(t, 64, sets[1].TotalCards, "total stands in for a missing printedTotal")
	require.Equal(t, 3, sets[1].Line)
}

func TestParseCardsTCGplayerVariants(t *testing.T) {
	t.Parallel()
	// pokemontcg.io API cards carry tcgplayer prices; the data repo copy does not.
	data := []byte(`[{
  "id": "base1-4", "name": "Charizard", "supertype": "Pokémon", "number": "4", "rarity": "Rare Holo",
  "tcgplayer": {"url": "https://prices.pokemontcg.io/tcgplayer/base1-4", "prices": {
    "unlimitedHolofoil": {"market": 350.5}, "1stEditionHolofoil": {"market": 9000},
    "reverseHolofoil": {"market": 1}, "holofoil": {"market": 2}, "1stEditionNormal": {}, "cosmosHolofoil": {}}}
}]`)
	set := catalog.ImportSet{Code: "base1", Language: "en"}
	cards, err := ParseCards("base1.json", data, set, Options{})
	require.NoError(t, err)
	require.Len(t, cards, 1)
	v := func(finish string) catalog.ImportVariant {
		return catalog.ImportVariant{Finish: finish, Label: "standard", PrintRarity: "Rare Holo"}
	}
	require.Equal(t, []catalog.ImportPrinting{
		{Language: "en", PrintRun: "unlimited", CollectorNumber: "4",
			Variants: []catalog.ImportVariant{v("holofoil"), v("reverse_holofoil"), v("cosmos_holofoil")}},
		{Language: "en", PrintRun: "1st_edition", CollectorNumber: "4",
			Variants: []catalog.ImportVariant{v("normal"), v("holofoil")}},
	}, cards[0].Printings)
}

func TestParseCardsMergesDuplicates(t *testing.T) {
	t.Parallel()
	data := []byte(`[
{"id": "x-1", "name": "Pikachu", "number": "1", "rarity": "Common"},
{"id": "x-1b", "name": "Pikachu", "number": "1", "rarity": "Rare Holo"},
{"id": "x-2", "name": "Raichu", "number": "1"}
]`)
	cards, err := ParseCards("x.json", data, catalog.ImportSet{Code: "x"}, Options{})
	require.NoError(t, err)
	require.Len(t, cards, 2)
	require.Equal(t, "Pikachu", cards[0].Name)
	require.Len(t, cards[0].Printings, 1)
	finishes := []string{}
	for _, v := range cards[0].Printings[0].Variants {
		finishes = append(finishes, v.Finish)
	}
	require.Equal(t, []string{"normal", "holofoil"}, finishes)
	require.Equal(t, "Raichu", cards[1].Name)
}

func TestPriceKeyVariant(t *testing.T) {
	t.Parallel()
	for key, want := range map[string][2]string{
		"normal":             {"unlimited", "normal"},
		"holofoil":           {"unlimited", "holofoil"},
		"reverseHolofoil":    {"unlimited", "reverse_holofoil"},
		"1stEditionHolofoil": {"1st_edition", "holofoil"},
		"1stEditionNormal":   {"1st_edition", "normal"},
		"1stEdition":         {"1st_edition", "normal"},
		"unlimitedHolofoil":  {"unlimited", "holofoil"},
		"":                   {"unlimited", "normal"},
		"?!":                 {"unlimited", "normal"},
	} {
		run, finish := priceKeyVariant(key)
		require.Equal(t, want, [2]string{run, finish}, key)
	}
}

func TestParseCardsEvolution(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/cards/en/base1.json")
	require.NoError(t, err)
	cards, err := ParseCards("base1.json", data, catalog.ImportSet{Code: "base1", Language: "en", TotalCards: 102}, Options{})
	require.NoError(t, err)
	by := map[string]catalog.ImportCard{}
	for _, c := range cards {
		by[c.Name] = c
	}
	require.Equal(t, "Stage 2", by["Charizard"].Stage)
	require.Equal(t, "Charmeleon", by["Charizard"].EvolvesFrom)
	require.Equal(t, "Basic", by["Pikachu"].Stage)
	require.Empty(t, by["Pikachu"].EvolvesFrom)
	require.Empty(t, by["Bill"].Stage, "a trainer has no stage")
}
