package fab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

const testdataDir = "testdata/csvs/english"

// readTestdata loads the fixture export into Files.
func readTestdata(t testing.TB) Files {
	t.Helper()
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(testdataDir, name))
		require.NoError(t, err)
		return data
	}
	return Files{
		Cards:         read(CardFile),
		Printings:     read(PrintingFile),
		Sets:          read(SetFile),
		SetPrintings:  read(SetPrintingFile),
		Editions:      read(EditionFile),
		Foilings:      read(FoilingFile),
		Rarities:      read(RarityFile),
		ArtVariations: read(ArtVariationFile),
	}
}

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	game, sets, err := Parse(testdataDir)
	require.NoError(t, err)
	require.Equal(t, catalog.GameInfo{Slug: catalog.GameFAB, Name: "Flesh and Blood"}, game)
	importertest.RequireValid(t, sets)
	// 27 rows; the back faces of HNT001's Marvel fold into its front.
	require.Equal(t, importertest.Counts{Sets: 6, Cards: 14, Printings: 20, Variants: 26}, importertest.Count(sets))

	codes := make([]string, 0, len(sets))
	for _, s := range sets {
		codes = append(codes, s.Code)
	}
	// set.csv order; 2HP and the 1HP Black Label row have no printings.
	require.Equal(t, []string{"1HP", "DTD", "FAB", "HNT", "MPG", "WTR"}, codes)

	hp := importertest.FindSet(t, sets, "1HP")
	require.Equal(t, "History Pack 1", hp.Name)
	require.Equal(t, "2022-05-06", hp.ReleaseDate)
	require.False(t, hp.IsPromo)
	require.Equal(t, "en", hp.Language)

	wtr := importertest.FindSet(t, sets, "WTR")
	require.Equal(t, "Welcome to Rathe", wtr.Name)
	require.Equal(t, "2019-10-11", wtr.ReleaseDate) // alpha, not the unlimited 2020-11-06
	require.Equal(t, 6, wtr.TotalCards)
	require.Equal(t, "WTR000", wtr.Cards[0].CollectorNumber)

	heart := importertest.FindCard(t, wtr, "WTR000", "Heart of Fyendal")
	require.Equal(t, "Fabled", heart.Rarity)
	require.Equal(t, "Generic Resource - Gem", heart.CardType)
	// One TCGplayer product for both editions: on the card.
	require.Equal(t, []catalog.XRef{{Source: catalog.XRefTCGplayer, ID: "225013"}}, heart.XRefs)
	require.Equal(t, []catalog.ImportPrinting{
		{Language: "en", PrintRun: "alpha", CollectorNumber: "WTR000", Variants: []catalog.ImportVariant{
			{Finish: "cold_foil", Label: "standard", PrintRarity: "Fabled"},
		}},
		{Language: "en", PrintRun: "unlimited", CollectorNumber: "WTR000", Variants: []catalog.ImportVariant{
			{Finish: "rainbow_foil", Label: "standard", PrintRarity: "Fabled"},
		}},
	}, heart.Printings)

	// WTR224 and WTR225 share product 225302 upstream: the first keeps it.
	require.Equal(t, []catalog.XRef{{Source: catalog.XRefTCGplayer, ID: "225302"}},
		importertest.FindCard(t, wtr, "WTR224", "Cracked Bauble").XRefs)
	require.Empty(t, importertest.FindCard(t, wtr, "WTR225", "Quicken").XRefs)

	// One number, two faces with names of their own: two cards.
	dtd := importertest.FindSet(t, sets, "DTD")
	require.Len(t, dtd.Cards, 2)
	require.Equal(t, 1, dtd.TotalCards)
	suraya := importertest.FindCard(t, dtd, "DTD005", "Suraya, Archangel of Erudition")
	require.Equal(t, "Majestic", suraya.Rarity)
	require.Equal(t, "Light - Angel Ally", suraya.CardType)
	require.Equal(t, []catalog.ImportVariant{
		{Finish: "normal", Label: "standard", PrintRarity: "Majestic",
			XRefs: []catalog.XRef{{Source: catalog.XRefTCGplayer, ID: "502726"}}},
		{Finish: "cold_foil", Label: "full_art", PrintRarity: "Marvel",
			XRefs: []catalog.XRef{{Source: catalog.XRefTCGplayer, ID: "502728"}}},
	}, suraya.Printings[0].Variants)
	figment := importertest.FindCard(t, dtd, "DTD005", "Figment of Erudition")
	require.Equal(t, "extended_art", figment.Printings[0].Variants[1].Label)
	require.Empty(t, figment.Printings[0].Variants[1].XRefs) // 502728 belongs to Suraya

	// Front and back rows of one Marvel: one variant.
	hnt := importertest.FindCard(t, importertest.FindSet(t, sets, "HNT"), "HNT001", "Arakni, Marionette")
	require.Len(t, hnt.Printings[0].Variants, 2)
	require.Equal(t, "full_art", hnt.Printings[0].Variants[1].Label)

	// Three arts under identical codes: numbered labels.
	mpg := importertest.FindCard(t, importertest.FindSet(t, sets, "MPG"), "MPG112", "Seismic Surge")
	var labels []string
	for _, v := range mpg.Printings[0].Variants {
		labels = append(labels, v.Finish+"/"+v.Label)
	}
	require.Equal(t, []string{"normal/standard", "cold_foil/full_art", "cold_foil/full_art-2", "cold_foil/full_art-3"}, labels)
	require.Equal(t, "Token", mpg.Rarity)

	promos := importertest.FindSet(t, sets, "FAB")
	require.Equal(t, "Promos", promos.Name)
	require.True(t, promos.IsPromo)
	require.Empty(t, promos.ReleaseDate)
	tunic := importertest.FindCard(t, promos, "FAB001", "Fyendal's Spring Tunic")
	require.True(t, tunic.Printings[0].IsPromo)
	require.Equal(t, catalog.ImportVariant{Finish: "gold_cold_foil", Label: "extended_art", PrintRarity: "Promo",
		XRefs: []catalog.XRef{{Source: catalog.XRefTCGplayer, ID: "225501"}}}, tunic.Printings[0].Variants[0])
	gauntlet := importertest.FindCard(t, promos, "FAB150", "Ironhide Gauntlet")
	require.Empty(t, gauntlet.Printings[0].Variants[0].XRefs) // no TCGplayer id upstream
}

func TestParseDeterministic(t *testing.T) {
	t.Parallel()
	f := readTestdata(t)
	_, a, err := ParseFiles(f)
	require.NoError(t, err)
	_, b, err := ParseFiles(f)
	require.NoError(t, err)
	require.Equal(t, a, b)
	_, c, err := Parse(testdataDir)
	require.NoError(t, err)
	require.Equal(t, a, c)
}

func TestParseMissingFile(t *testing.T) {
	t.Parallel()
	_, _, err := Parse(t.TempDir())
	require.ErrorContains(t, err, "fab: read card.csv")
	require.ErrorIs(t, err, os.ErrNotExist)
}

// editLine replaces line n (1-based) of data with edit(line).
func editLine(t *testing.T, data []byte, n int, edit func(string) string) []byte {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	require.Greater(t, len(lines), n)
	lines[n-1] = edit(lines[n-1])
	return []byte(strings.Join(lines, "\n"))
}

// setField replaces tab-separated field i of a line.
func setField(i int, v string) func(string) string {
	return func(line string) string {
		f := strings.Split(line, "\t")
		f[i] = v
		return strings.Join(f, "\t")
	}
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(t *testing.T, f *Files)
		want string
	}{
		{"bare quote in printing", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 4, setField(11, `Wisnu "Tan`))
		}, `card-printing.csv:4: invalid CSV: bare " in non-quoted-field`},
		{"short printing row", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 3, func(l string) string { return l[:strings.LastIndex(l, "\t")] })
		}, "card-printing.csv:3: invalid CSV: wrong number of fields"},
		{"printing of a missing card", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 5, setField(1, "noSuchCard"))
		}, `card-printing.csv:5: card "noSuchCard" not in card.csv`},
		{"unknown set", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 2, setField(6, "ZZZ"))
		}, `card-printing.csv:2: set "ZZZ" not in set.csv`},
		{"unknown edition", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 6, setField(7, "Q"))
		}, `card-printing.csv:6: edition "Q" not in edition.csv`},
		{"unknown foiling", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 7, setField(9, "X"))
		}, `card-printing.csv:7: foiling "X" not in foiling.csv`},
		{"unknown rarity", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 8, setField(8, "Z"))
		}, `card-printing.csv:8: rarity "Z" not in rarity.csv`},
		{"unknown art variation", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 9, setField(10, "EA, ZZ"))
		}, `card-printing.csv:9: art variation "ZZ" not in art-variation.csv`},
		{"empty card id", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 10, setField(4, ""))
		}, "card-printing.csv:10: empty Card ID"},
		{"printing header without Card ID", func(t *testing.T, f *Files) {
			f.Printings = editLine(t, f.Printings, 1, setField(4, "Card Number"))
		}, `card-printing.csv:1: missing column "Card ID"`},
		{"unterminated quote in card", func(t *testing.T, f *Files) {
			f.Cards = editLine(t, f.Cards, 2, setField(1, `"Abc`))
		}, `card.csv:`},
		{"empty card name", func(t *testing.T, f *Files) {
			f.Cards = editLine(t, f.Cards, 2, setField(1, ""))
		}, "card.csv:2: card "},
		{"duplicate card", func(t *testing.T, f *Files) {
			lines := strings.Split(string(f.Cards), "\n")
			require.Len(t, strings.Split(lines[4], "\t"), 25) // a one-line record
			lines = append(lines[:5], lines[4:]...)
			f.Cards = []byte(strings.Join(lines, "\n"))
		}, "card.csv:6: duplicate Unique ID"},
		{"empty card file", func(t *testing.T, f *Files) { f.Cards = nil }, "card.csv:1: empty file"},
		{"bad release date", func(t *testing.T, f *Files) {
			f.SetPrintings = editLine(t, f.SetPrintings, 3, setField(5, "2019-13-45T00:00:00.000Z"))
		}, "set-printing.csv:3: Initial Release Date"},
		{"set printing of a missing set", func(t *testing.T, f *Files) {
			f.SetPrintings = editLine(t, f.SetPrintings, 2, setField(1, "nope"))
		}, `set-printing.csv:2: set "nope" not in set.csv`},
		{"set without identifier", func(t *testing.T, f *Files) {
			f.Sets = editLine(t, f.Sets, 4, setField(1, ""))
		}, "set.csv:4: empty Identifier"},
		{"duplicate foiling", func(t *testing.T, f *Files) {
			f.Foilings = append(f.Foilings, []byte("S\tShiny\n")...)
		}, `foiling.csv:6: duplicate shorthand "S"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := readTestdata(t)
			tc.edit(t, &f)
			_, sets, err := ParseFiles(f)
			t.Log(err)
			importertest.RequireInvalid(t, err, tc.want)
			require.True(t, strings.HasPrefix(err.Error(), "fab: parse "), err.Error())
			require.Nil(t, sets)
		})
	}
}
