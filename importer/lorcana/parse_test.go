package lorcana

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

const testdataDir = "testdata"

func readFile(t testing.TB, name string) File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdataDir, name))
	require.NoError(t, err)
	return File{Name: name, Data: data}
}

// requireValid checks importertest.RequireValid and what Lorcana adds:
// English sets with English first, a printed number on every printing and
// printings promo exactly in promo sets.
func requireValid(t *testing.T, sets []catalog.ImportSet) {
	t.Helper()
	importertest.RequireValid(t, sets)
	for _, s := range sets {
		require.Equal(t, "en", s.Language, s.Code)
		for _, c := range s.Cards {
			where := s.Code + " " + c.CollectorNumber + " " + c.Name
			require.Equal(t, "en", c.Printings[0].Language, where)
			for _, p := range c.Printings {
				require.NotEmpty(t, p.CollectorNumber, where)
				require.Equal(t, s.IsPromo, p.IsPromo, where)
			}
		}
	}
}

func languagesOf(c catalog.ImportCard) []string {
	var out []string
	for _, p := range c.Printings {
		out = append(out, p.Language)
	}
	return out
}

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	game, sets, err := Parse(testdataDir)
	require.NoError(t, err)
	require.Equal(t, catalog.GameInfo{Slug: catalog.GameLorcana, Name: "Disney Lorcana"}, game)
	requireValid(t, sets)
	// 11 cards with 32 variants in three set files; fab #108 is listed twice.
	require.Equal(t, importertest.Counts{Sets: 9, Cards: 31, Printings: 149, Variants: 250}, importertest.Count(sets))

	var codes []string
	for _, s := range sets {
		codes = append(codes, s.Code)
	}
	require.Equal(t, []string{"TFC", "ITI", "FAB", "C1", "D23", "P1", "P2", "P3", "WORLDS"}, codes)

	tfc := importertest.FindSet(t, sets, "TFC")
	require.Equal(t, "The First Chapter", tfc.Name)
	require.Equal(t, 204, tfc.TotalCards)
	require.False(t, tfc.IsPromo)
	require.Empty(t, tfc.ReleaseDate)
	require.Len(t, tfc.Cards, 7)
	require.Equal(t, "1", tfc.Cards[0].CollectorNumber)

	ariel := importertest.FindCard(t, tfc, "1", "Ariel - On Human Legs")
	require.Equal(t, "Uncommon", ariel.Rarity)
	require.Equal(t, "Character", ariel.CardType)
	require.Equal(t, []string{"en", "de", "fr", "ja", "zh"}, languagesOf(ariel)) // no Italian name
	std := func(r string) []catalog.ImportVariant {
		return []catalog.ImportVariant{
			{Finish: "normal", Label: "standard", PrintRarity: r},
			{Finish: "foil", Label: "standard", PrintRarity: r},
		}
	}
	require.Equal(t, catalog.ImportPrinting{Language: "en", PrintRun: "unlimited", CollectorNumber: "1/204 EN 1",
		Variants: std("Uncommon")}, ariel.Printings[0])
	require.Equal(t, "1/204 FR 1", ariel.Printings[2].CollectorNumber)

	song := importertest.FindCard(t, tfc, "25", "Be Our Guest")
	require.Equal(t, "Action - Song", song.CardType)

	// The enchanted Hades has a number of its own and only a foil.
	hades := importertest.FindCard(t, tfc, "205", "Hades - King of Olympus")
	require.Equal(t, "Enchanted", hades.Rarity)
	require.Equal(t, []catalog.ImportVariant{{Finish: "foil", Label: "standard", PrintRarity: "Enchanted"}},
		hades.Printings[0].Variants)
	require.Equal(t, "Rare", importertest.FindCard(t, tfc, "5", "Hades - King of Olympus").Rarity)

	// Reprints land in the set they are printed in, whatever file lists them.
	fab := importertest.FindSet(t, sets, "FAB")
	require.Equal(t, "Fabled", fab.Name)
	require.Len(t, fab.Cards, 7)
	require.Len(t, importertest.FindCard(t, fab, "108", "Maleficent - Monstrous Dragon").Printings, 6)
	cind := importertest.FindCard(t, fab, "19", "Cinderella - Gentle and Kind")
	require.Equal(t, "19/204 EN 9", cind.Printings[0].CollectorNumber)
	queen := importertest.FindCard(t, fab, "205", "The Queen - Conceited Ruler")
	require.Equal(t, "Epic", queen.Rarity)
	require.Equal(t, []string{"en", "de", "fr", "it"}, languagesOf(queen))
	require.Len(t, queen.Printings[0].Variants, 1)
	minnie := importertest.FindCard(t, fab, "241", "Minnie Mouse - Sweetheart Princess")
	require.Equal(t, "Iconic", minnie.Rarity)
	require.Equal(t, "Super Rare", importertest.FindCard(t, fab, "5", "Minnie Mouse - Sweetheart Princess").Rarity)

	iti := importertest.FindSet(t, sets, "ITI")
	for _, n := range []string{"4a", "4b", "4c", "4d", "4e"} {
		importertest.FindCard(t, iti, n, "Dalmatian Puppy - Tail Wagger")
	}
	require.Equal(t, "Location", importertest.FindCard(t, iti, "33", "Pride Lands - Pride Rock").CardType)
	// Filed as iti #125 twice upstream; the second is printed "43/P2 EN 3".
	require.Len(t, iti.Cards, 8)
	importertest.FindCard(t, iti, "125", "Stitch - Little Rocket")
	p2 := importertest.FindSet(t, sets, "P2")
	require.True(t, p2.IsPromo)
	require.Equal(t, "P2 Promos", p2.Name)
	require.Zero(t, p2.TotalCards)
	stitch := importertest.FindCard(t, p2, "43", "Stitch - Little Rocket")
	require.Equal(t, "43/P2 EN 3", stitch.Printings[0].CollectorNumber)
	require.True(t, stitch.Printings[0].IsPromo)
	require.Equal(t, []catalog.ImportVariant{{Finish: "foil", Label: "standard", PrintRarity: "Common"}},
		stitch.Printings[0].Variants)

	// A prize card without printed numbers: English only, numbered by id.
	worlds := importertest.FindSet(t, sets, "WORLDS")
	require.Equal(t, "World Championship Promos", worlds.Name)
	top := importertest.FindCard(t, worlds, "2024", "Mickey Mouse - Brave Little Tailor")
	require.Equal(t, "Top1", top.Rarity)
	require.Equal(t, []catalog.ImportPrinting{{Language: "en", PrintRun: "unlimited", CollectorNumber: "2024", IsPromo: true,
		Variants: []catalog.ImportVariant{{Finish: "foil", Label: "standard", PrintRarity: "Top1"}}}}, top.Printings)

	p1 := importertest.FindCard(t, importertest.FindSet(t, sets, "P1"), "1", "Mickey Mouse - Brave Little Tailor")
	require.Equal(t, "1TFC EN 1/P1", p1.Printings[0].CollectorNumber)
	require.Equal(t, []string{"en", "ja", "zh"}, languagesOf(p1))
}

func TestParseDeterministic(t *testing.T) {
	t.Parallel()
	_, a, err := Parse(testdataDir)
	require.NoError(t, err)
	_, b, err := Parse(testdataDir)
	require.NoError(t, err)
	require.Equal(t, a, b)
	// File order does not matter, reference files are skipped.
	_, c, err := ParseFiles([]File{readFile(t, "iti.yml"), readFile(t, "abilities.yml"), readFile(t, "fab.yml"), readFile(t, "tfc.yml")})
	require.NoError(t, err)
	require.Equal(t, a, c)
}

func TestIsSetFile(t *testing.T) {
	t.Parallel()
	require.True(t, IsSetFile("tfc.yml"))
	require.True(t, IsSetFile("/data/win.yml"))
	require.False(t, IsSetFile("abilities.yml"))
	require.False(t, IsSetFile("configuration.yml"))
	require.False(t, IsSetFile("LICENSE"))
}

func TestParseDirErrors(t *testing.T) {
	t.Parallel()
	_, _, err := Parse(filepath.Join(t.TempDir(), "missing"))
	require.ErrorContains(t, err, "lorcana: read dir")
	require.ErrorIs(t, err, os.ErrNotExist)
	_, _, err = Parse(t.TempDir())
	require.ErrorContains(t, err, "no set files")
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	tfc := readFile(t, "tfc.yml").Data
	replace := func(old, new string) []byte {
		require.Contains(t, string(tfc), old)
		return []byte(strings.Replace(string(tfc), old, new, 1))
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		// yaml.v3 names the line where the enclosing mapping starts.
		{"broken YAML", replace("      id: 3\n", "      id: [3\n"),
			fmt.Sprintf("tfc.yml:%d: invalid YAML: did not find expected ',' or ']'", importertest.LineOf(t, tfc, "      id: 3\n")-1)},
		{"tab indentation", replace("    - set: fab\n", "    - set: fab\n\t  id: 4\n"),
			fmt.Sprintf("tfc.yml:%d: invalid YAML: found a tab character", importertest.LineOf(t, tfc, "    - set: fab\n"))},
		{"id not a number", replace("      id: 205\n", "      id: two hundred\n"),
			fmt.Sprintf("tfc.yml:%d: invalid YAML: cannot unmarshal !!str `two hun...` into int", importertest.LineOf(t, tfc, "      id: 205\n"))},
		{"languages not a mapping", replace("  languages: \n    en: \n      name: \"Ariel\"", "  languages: [en]\n  x: \n    en: \n      name: \"Ariel\""),
			fmt.Sprintf("tfc.yml:%d: invalid YAML: cannot unmarshal !!seq into map", importertest.LineOf(t, tfc, "  languages: \n"))},
		{"variant without id", replace("      id: 3\n", "      idx: 3\n"),
			fmt.Sprintf("tfc.yml:%d: variant of \"Cinderella - Gentle and Kind\" without an id", importertest.LineOf(t, tfc, "      id: 3\n")-1)},
		{"variant without set", replace("    - set: fab\n", "    - set: \"\"\n"),
			fmt.Sprintf("tfc.yml:%d: variant of \"Cinderella - Gentle and Kind\" without a set", importertest.LineOf(t, tfc, "    - set: fab\n"))},
		{"card without English name", replace("      name: \"Ariel\"\n", "      name: \"\"\n"),
			"tfc.yml:1: card without an English name"},
		{"card without variants", replace("- variants: \n    - set: tfc\n      id: 1\n", "- variants: []\n  x:\n    - set: tfc\n      id: 1\n"),
			"tfc.yml:1: card \"Ariel - On Human Legs\" has no variants"},
		{"not a list", readFile(t, "abilities.yml").Data, "tfc.yml:1: expected a list of cards, got a mapping"},
		{"list of scalars", []byte("- a\n- b\n"), "tfc.yml:1: card 1: expected a mapping, got a scalar"},
		{"empty", nil, "tfc.yml:1: empty file"},
		{"truncated", tfc[:len(tfc)/2], "tfc.yml:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, sets, err := ParseFiles([]File{readFile(t, "fab.yml"), {Name: "tfc.yml", Data: tc.data}})
			t.Log(err)
			importertest.RequireInvalid(t, err, tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "lorcana: parse set file: "), err.Error())
			require.Nil(t, sets)
		})
	}
}
