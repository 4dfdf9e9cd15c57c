package onepiece

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
	data, err := os.ReadFile(filepath.Join(testdataDir, "cards", name))
	require.NoError(t, err)
	return File{Name: name, Data: data}
}

func findCard(t *testing.T, s catalog.ImportSet, number string) catalog.ImportCard {
	t.Helper()
	for _, c := range s.Cards {
		if c.CollectorNumber == number {
			return c
		}
	}
	require.Failf(t, "card not found", "%s %s", s.Code, number)
	return catalog.ImportCard{}
}

func variants(p catalog.ImportPrinting) []string {
	var out []string
	for _, v := range p.Variants {
		out = append(out, v.Finish+"/"+v.Label)
	}
	return out
}

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	game, sets, err := Parse(testdataDir)
	require.NoError(t, err)
	require.Equal(t, catalog.GameInfo{Slug: catalog.GameOnePiece, Name: "One Piece Card Game"}, game)
	importertest.RequireValid(t, sets)
	// 29 records: one variant each.
	require.Equal(t, importertest.Counts{Sets: 4, Cards: 13, Printings: 16, Variants: 29}, importertest.Count(sets))

	var codes []string
	for _, s := range sets {
		codes = append(codes, s.Code)
	}
	require.Equal(t, []string{"OP01", "PRB01", "ST13", "ST16"}, codes)

	op01 := importertest.FindSet(t, sets, "OP01")
	require.Equal(t, "ROMANCE DAWN", op01.Name) // not "Rule Revisions and Card Errata"
	require.Equal(t, "Booster Pack", op01.Series)
	require.Equal(t, "en", op01.Language)
	require.False(t, op01.IsPromo)
	require.Empty(t, op01.ReleaseDate)
	require.Equal(t, 4, op01.TotalCards)
	require.Equal(t, "OP01-001", op01.Cards[0].CollectorNumber)

	zoro := findCard(t, op01, "OP01-001")
	require.Equal(t, "Roronoa Zoro", zoro.Name)
	require.Equal(t, "Leader", zoro.Rarity)
	require.Equal(t, "Leader", zoro.CardType)
	require.Equal(t, []catalog.ImportPrinting{
		{Language: "en", PrintRun: "unlimited", CollectorNumber: "OP01-001", Variants: []catalog.ImportVariant{
			{Finish: "normal", Label: "standard", PrintRarity: "Leader"},
			{Finish: "parallel", Label: "p1", PrintRarity: "Leader"},
		}},
		// OP01-001_p2 is on the Japanese card list only.
		{Language: "ja", PrintRun: "unlimited", CollectorNumber: "OP01-001", Variants: []catalog.ImportVariant{
			{Finish: "parallel", Label: "p2", PrintRarity: "Leader"},
		}},
	}, zoro.Printings)
	luffy := findCard(t, op01, "OP01-024")
	require.Equal(t, "Monkey.D.Luffy", luffy.Name)
	require.Equal(t, "Super Rare", luffy.Rarity)
	require.Equal(t, "Character", luffy.CardType)

	// A reprint set: reprints and parallels of other sets' numbers.
	prb := importertest.FindSet(t, sets, "PRB01")
	require.Equal(t, "ONE PIECE CARD THE BEST", prb.Name)
	require.Equal(t, "Premium Booster", prb.Series)
	shanks := findCard(t, prb, "OP01-120")
	require.Equal(t, "Shanks", shanks.Name)
	require.Equal(t, "Secret Rare", shanks.Rarity)
	require.Equal(t, []string{"normal/r1", "normal/r2", "parallel/p5"}, variants(shanks.Printings[0]))
	otama := findCard(t, prb, "OP01-006")
	require.Equal(t, []string{"normal/r1", "parallel/p1", "parallel/p2", "parallel/p3"}, variants(otama.Printings[0]))
	bart := findCard(t, prb, "P-029")
	require.Equal(t, "Bartolomeo", bart.Name)
	require.Equal(t, "Promo", bart.Rarity)
	require.True(t, bart.Printings[0].IsPromo)
	require.Equal(t, "Promo", bart.Printings[0].Variants[1].PrintRarity) // "P-P"

	st16 := importertest.FindSet(t, sets, "ST16")
	require.Equal(t, "Green Uta", st16.Name) // not "スタートデッキ 緑 ウタ【ST-16】"
	require.Equal(t, "Starter Deck", st16.Series)
	bart16 := findCard(t, st16, "P-029")
	require.Len(t, bart16.Printings, 2)
	require.Equal(t, "ja", bart16.Printings[1].Language)
	require.Equal(t, []string{"normal/r2"}, variants(bart16.Printings[1]))

	st13 := importertest.FindSet(t, sets, "ST13")
	require.Equal(t, "The Three Brothers' Bond", st13.Name) // no "[ST-13]" upstream
	require.Equal(t, "Sabo", findCard(t, st13, "ST13-001").Name)
}

func TestParseDeterministic(t *testing.T) {
	t.Parallel()
	_, a, err := Parse(testdataDir)
	require.NoError(t, err)
	_, b, err := Parse(filepath.Join(testdataDir, "cards"))
	require.NoError(t, err)
	require.Equal(t, a, b)
	_, c, err := ParseFiles([]File{readFile(t, "st16.json"), readFile(t, "st13.json"), readFile(t, "prb01.json"), readFile(t, "op01.json")})
	require.NoError(t, err)
	require.Equal(t, a, c)
}

func TestParseSet(t *testing.T) {
	t.Parallel()
	f := readFile(t, "st13.json")
	s, err := ParseSet(f.Name, f.Data)
	require.NoError(t, err)
	require.Equal(t, "ST13", s.Code)
	require.Len(t, s.Cards, 2)
}

func TestParseDirErrors(t *testing.T) {
	t.Parallel()
	_, _, err := Parse(filepath.Join(t.TempDir(), "missing"))
	require.ErrorContains(t, err, "onepiece: read dir")
	require.ErrorIs(t, err, os.ErrNotExist)
	_, _, err = Parse(t.TempDir())
	require.ErrorContains(t, err, "no set files")
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	op01 := readFile(t, "op01.json").Data
	replace := func(old, new string) []byte {
		require.Contains(t, string(op01), old)
		return []byte(strings.Replace(string(op01), old, new, 1))
	}
	// The record holding s starts on the "{" line before it.
	recordOf := func(s string) int {
		l := importertest.LineOf(t, op01, s)
		lines := strings.Split(string(op01), "\n")
		for l > 1 && strings.TrimSpace(lines[l-1]) != "{" {
			l--
		}
		return l
	}
	cases := []struct {
		name string
		file string
		data []byte
		want string
	}{
		{"truncated", "op01.json", op01[:lineOfOffset(op01, 30)], "op01.json:"},
		{"missing comma", "op01.json", replace(`"rarity": "L",`, `"rarity": "L"`),
			fmt.Sprintf("op01.json:%d: invalid JSON", importertest.LineOf(t, op01, `"rarity": "L",`)+1)},
		{"wrong type", "op01.json", replace(`"isParallel": true,`, `"isParallel": "yes",`),
			fmt.Sprintf("op01.json:%d: field \"isParallel\": expected bool, got string", importertest.LineOf(t, op01, `"isParallel": true,`))},
		{"names not strings", "op01.json", replace(`"nameEn": "Nami",`, `"nameEn": ["Nami"],`),
			fmt.Sprintf("op01.json:%d: field \"nameEn\"", importertest.LineOf(t, op01, `"nameEn": "Nami",`))},
		{"not an array", "op01.json", []byte(`{"cards": []}`), "op01.json:1: field \"\": expected"},
		{"empty array", "op01.json", []byte("[]\n"), "op01.json:1: no cards"},
		{"empty file", "op01.json", nil, "op01.json:1: invalid JSON"},
		{"record without cardCode", "op01.json", replace(`"cardCode": "OP01-008",`, `"cardCode": "",`),
			fmt.Sprintf("op01.json:%d: record without cardCode", recordOf(`"cardCode": "OP01-008",`))},
		{"duplicate cardCode", "op01.json", replace(`"cardCode": "OP01-016_p1",`, `"cardCode": "OP01-016",`),
			fmt.Sprintf("op01.json:%d: duplicate cardCode \"OP01-016\" (first in record 6)", recordOf(`"cardCode": "OP01-016_p1",`))},
		{"record without a name", "op01.json", replace(`"nameEn": "Cavendish",
    "nameJp": "キャベンディッシュ",`, `"nameEn": "",
    "nameJp": "",`), fmt.Sprintf("op01.json:%d: card \"OP01-008\" without a name", recordOf(`"nameEn": "Cavendish",`))},
		{"parallel twice", "op01.json", []byte("[{\"cardCode\": \"OP01-001\", \"nameEn\": \"A\"},\n {\"cardCode\": \"OP01-001_p1\", \"nameEn\": \"A\"},\n {\"cardCode\": \"OP01-001_p01\", \"nameEn\": \"A\"}]"),
			"op01.json:3: card \"OP01-001_p01\": second parallel/p1 variant (first in record 2)"},
		{"name only a parallel marker", "op01.json", []byte("[{\"cardCode\": \"OP01-001\", \"nameEn\": \" (Parallel)\"}]"),
			"op01.json:1: card \"OP01-001\" without a name"},
		{"parallel without index", "op01.json", []byte("[{\"cardCode\": \"OP01-001\", \"nameEn\": \"A\"},\n  {\"cardCode\": \"OP01-001b\", \"isParallel\": true, \"nameEn\": \"A\"}]"),
			"op01.json:2: parallel \"OP01-001b\" without parallelIndex"},
		{"no set code", ".json", readFile(t, "st13.json").Data, ".json: file name gives no set code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, sets, err := ParseFiles([]File{readFile(t, "st13.json"), {Name: tc.file, Data: tc.data}})
			t.Log(err)
			importertest.RequireInvalid(t, err, tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "onepiece: parse set file: "), err.Error())
			require.Nil(t, sets)
		})
	}

	t.Run("same set twice", func(t *testing.T) {
		t.Parallel()
		f := readFile(t, "st13.json")
		_, _, err := ParseFiles([]File{f, {Name: "ST13.json", Data: f.Data}})
		importertest.RequireInvalid(t, err, "ST13.json: set ST13 already read from st13.json")
	})
}

// lineOfOffset returns the byte offset where line n (1-based) starts.
func lineOfOffset(data []byte, n int) int {
	off := 0
	for i := 1; i < n; i++ {
		j := strings.IndexByte(string(data[off:]), '\n')
		if j < 0 {
			return len(data)
		}
		off += j + 1
	}
	return off
}
