package mtg

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	game, sets, err := Parse("testdata")
	require.NoError(t, err)
	require.Equal(t, catalog.GameInfo{Slug: catalog.GameMTG, Name: "Magic: The Gathering"}, game)
	require.Len(t, sets, 3)
	importertest.RequireNaturalKeys(t, sets)
	require.Equal(t, []string{"FBB", "KHM", "NEO"}, []string{sets[0].Code, sets[1].Code, sets[2].Code}, "file name order")

	neo := sets[2]
	require.Equal(t, "Kamigawa: Neon Dynasty", neo.Name)
	require.Equal(t, "2022-02-18", neo.ReleaseDate)
	require.Equal(t, 302, neo.TotalCards, "baseSetSize")
	require.Empty(t, neo.Series, "NEO has no block")
	require.Equal(t, "en", neo.Language)
	require.False(t, neo.IsPromo)
	require.Len(t, neo.Cards, 6, "7 faces, the two Fable faces are one card")

	katana := neo.Cards[0]
	require.Equal(t, catalog.ImportCard{
		Name: "Ancestral Katana", CollectorNumber: "1", Rarity: "common", CardType: "Artifact — Equipment",
		XRefs: []catalog.XRef{
			{Source: "mtgjson", ID: "8791a7d2-1849-540f-8061-202341471d02"},
			{Source: "scryfall", ID: "d9b1ed43-ee6c-43a2-ba94-5bf71c63e070"},
			{Source: "tcgplayer", ID: "262136"},
			{Source: "cardmarket", ID: "607153"},
		},
		Printings: []catalog.ImportPrinting{{
			Language: "en", PrintRun: "unlimited", CollectorNumber: "1",
			Variants: []catalog.ImportVariant{
				{Finish: "normal", Label: "standard", PrintRarity: "common"},
				{Finish: "foil", Label: "standard", PrintRarity: "common"},
			},
		}},
	}, katana)

	fable := neo.Cards[2]
	require.Equal(t, "Fable of the Mirror-Breaker // Reflection of Kiki-Jiki", fable.Name)
	require.Equal(t, "141", fable.CollectorNumber)
	require.Equal(t, "Enchantment — Saga // Enchantment Creature — Goblin Shaman", fable.CardType)
	require.Equal(t, []catalog.XRef{
		{Source: "mtgjson", ID: "e54871ca-b187-5a71-b8eb-9e9c5322f4a4"},
		{Source: "mtgjson", ID: "ff6bdac8-48f6-51e1-a8bc-9db0a5b2dee7"},
		{Source: "scryfall", ID: "24c0d87b-0049-4beb-b9cb-6f813b7aa7dc"},
		{Source: "tcgplayer", ID: "262222"},
		{Source: "cardmarket", ID: "607389"},
	}, fable.XRefs, "both faces' uuids, side a first; shared ids once")
	require.Len(t, fable.Printings[0].Variants, 2)

	farewell := neo.Cards[4]
	require.Equal(t, "Farewell", farewell.Name)
	require.Equal(t, "417", farewell.CollectorNumber)
	require.Equal(t, []catalog.XRef{
		{Source: "mtgjson", ID: "a117fe2d-3817-5429-b5e1-b99af81d8cbf"},
		{Source: "scryfall", ID: "3956b833-0b74-4890-bc67-4aed7df33af4"},
		{Source: "cardmarket", ID: "609003"},
	}, farewell.XRefs)
	require.Equal(t, []catalog.ImportVariant{{
		Finish: "etched", Label: "standard", PrintRarity: "rare",
		XRefs: []catalog.XRef{{Source: "tcgplayer", ID: "263248"}},
	}}, farewell.Printings[0].Variants)

	despair := neo.Cards[5]
	require.Equal(t, "Invoke Despair", despair.Name)
	require.True(t, despair.Printings[0].IsPromo)
	require.False(t, katana.Printings[0].IsPromo)

	require.Equal(t, []catalog.ImportSealed{
		{Name: "Kamigawa Neon Dynasty Draft Booster Pack", ProductType: "booster_pack", XRefs: []catalog.XRef{
			{Source: "mtgjson", ID: "051c730b-a3b5-552a-acbb-8fa391a6e959"}, {Source: "tcgplayer", ID: "257556"}}},
		{Name: "Kamigawa Neon Dynasty Draft Booster Box", ProductType: "booster_box", XRefs: []catalog.XRef{
			{Source: "mtgjson", ID: "09ba140c-c8ba-5c7f-b49a-1445ffc520a3"}, {Source: "tcgplayer", ID: "257557"}}},
		{Name: "Kamigawa Neon Dynasty Draft Booster Box Case", ProductType: "case", XRefs: []catalog.XRef{
			{Source: "mtgjson", ID: "7de024ec-02d0-508b-963c-6d2bdbb58467"}, {Source: "tcgplayer", ID: "257558"}}},
		{Name: "Kamigawa Neon Dynasty Set Booster Display Case", ProductType: "case", XRefs: []catalog.XRef{
			{Source: "mtgjson", ID: "ca0a2e3f-bc30-5649-8bca-403685311e93"}, {Source: "tcgplayer", ID: "257559"}}},
	}, neo.Sealed)

	khm := sets[1]
	require.Len(t, khm.Cards, 2, "the online-only A-Goldspan Dragon is left out")
	require.Equal(t, "Axgard Braggart", khm.Cards[0].Name)
	require.Equal(t, "Goldspan Dragon", khm.Cards[1].Name)
	require.Equal(t, "mythic", khm.Cards[1].Rarity)
	require.Len(t, khm.Sealed, 2)

	fbb := sets[0]
	require.Equal(t, "Foreign Black Border", fbb.Name)
	require.Equal(t, "Core Set", fbb.Series)
	require.Equal(t, "1994-04-01", fbb.ReleaseDate)
	require.Empty(t, fbb.Sealed)
	require.Len(t, fbb.Cards, 3)
	wall := fbb.Cards[0]
	require.Equal(t, "Animate Wall", wall.Name)
	langs := []string{}
	for _, p := range wall.Printings {
		langs = append(langs, p.Language)
		require.Equal(t, []catalog.ImportVariant{{Finish: "normal", Label: "standard", PrintRarity: "rare"}}, p.Variants)
	}
	require.Equal(t, []string{"de", "fr", "it"}, langs, "a foreign-only set is printed in its foreignData languages")
}

func TestParseSingleFile(t *testing.T) {
	t.Parallel()
	_, sets, err := Parse("testdata/NEO.json.gz")
	require.NoError(t, err)
	require.Len(t, sets, 1)
	require.Equal(t, "NEO", sets[0].Code)

	_, sets, err = Parse("testdata/FBB.json")
	require.NoError(t, err)
	require.Len(t, sets, 1)
	require.Equal(t, "FBB", sets[0].Code)
}

func TestParseDeterministic(t *testing.T) {
	t.Parallel()
	_, a, err := Parse("testdata")
	require.NoError(t, err)
	_, b, err := Parse("testdata")
	require.NoError(t, err)
	require.Equal(t, a, b)
}

func TestBuildCardsMergesSameKey(t *testing.T) {
	t.Parallel()
	set, err := ParseSetJSON("x.json", []byte(`{"data": {"code": "X", "name": "X", "cards": [
  {"name": "Dusk // Dawn", "number": "210", "side": "b", "uuid": "u-b", "type": "Sorcery", "finishes": ["foil"],
   "identifiers": {"scryfallId": "s", "tcgplayerProductId": 7, "mcmId": "abc"}},
  {"name": "Dusk // Dawn", "number": "210", "side": "a", "uuid": "u-a", "type": "Sorcery", "rarity": "rare", "finishes": ["nonfoil"]},
  {"name": "Old", "number": "1", "hasFoil": true, "hasNonFoil": true},
  {"name": "Plain", "number": "2", "language": "Japanese", "finishes": ["Signed Foil", "!!"]}
]}}`))
	require.NoError(t, err)
	require.Len(t, set.Cards, 3)
	dusk := set.Cards[0]
	require.Equal(t, "Sorcery", dusk.CardType)
	require.Equal(t, "rare", dusk.Rarity)
	require.Equal(t, []catalog.XRef{
		{Source: "mtgjson", ID: "u-a"}, {Source: "mtgjson", ID: "u-b"}, {Source: "scryfall", ID: "s"}, {Source: "tcgplayer", ID: "7"},
	}, dusk.XRefs, "side a first; a non-numeric mcmId is dropped")
	require.Equal(t, []catalog.ImportVariant{
		{Finish: "normal", Label: "standard", PrintRarity: "rare"},
		{Finish: "foil", Label: "standard", PrintRarity: "rare"},
	}, dusk.Printings[0].Variants)
	require.Len(t, set.Cards[1].Printings[0].Variants, 2, "hasNonFoil + hasFoil")
	plain := set.Cards[2].Printings
	require.Equal(t, "ja", plain[0].Language)
	require.Equal(t, []catalog.ImportVariant{{Finish: "signed_foil", Label: "standard"}}, plain[0].Variants, `"!!" names no finish`)
}

func TestProductType(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"10th Edition Booster Box":                    "booster_box",
		"10th Edition Booster Pack":                   "booster_pack",
		"10th Edition Fat Pack":                       "bundle",
		"Kaldheim Bundle Gift Edition":                "bundle",
		"Zendikar Booster Box Case":                   "case",
		"Ixalan Prerelease Pack":                      "prerelease_kit",
		"Kaladesh Planeswalker Deck Chandra":          "deck",
		"Intro Pack Display":                          "deck_display",
		"Theme Booster Display Box":                   "booster_box",
		"Oath of the Gatewatch Deck Builders Toolkit": "deck_builders_toolkit",
		"Kaldheim Land Station":                       "land_station",
		"Portal Box Set Core Game":                    "box_set",
		"Born of the Gods Destined To Lead":           "other",
	} {
		require.Equal(t, want, ProductType("", name), name)
	}
	require.Equal(t, "booster_box", ProductType("booster_box", "Anything"))
	require.Equal(t, "deck_box", ProductType("Deck Box", "Anything"))
}

func TestLanguageCode(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"": "en", "English": "en", "German": "de", "Portuguese (Brazil)": "pt", "Chinese Simplified": "zh-hans",
		"Chinese Traditional": "zh-hant", "Klingon (Empire)": "klingon-empire", "???": "en",
	} {
		require.Equal(t, want, LanguageCode(name), name)
	}
}
