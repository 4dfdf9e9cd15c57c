package prices

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

const tcgplayerFixture = "testdata/tcgplayer-daily.csv"

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func parseTCGplayerFixture(t *testing.T) ([]catalog.ImportPrice, Stats) {
	t.Helper()
	f, err := os.Open(tcgplayerFixture)
	require.NoError(t, err)
	defer f.Close()
	out, st, err := ParseTCGplayerDaily("tcgplayer-daily.csv", f)
	require.NoError(t, err)
	return out, st
}

// byLine indexes prices by source line.
func byLine(ps []catalog.ImportPrice) map[int][]catalog.ImportPrice {
	m := make(map[int][]catalog.ImportPrice)
	for _, p := range ps {
		m[p.Line] = append(m[p.Line], p)
	}
	return m
}

func TestParseTCGplayerDailyFixture(t *testing.T) {
	t.Parallel()
	out, st := parseTCGplayerFixture(t)
	// 38 rows: lines 2, 9, 17, 20 have no dates, 16 ($0.00, volume 1) and 37
	// ($0.00, volume 0) no price; lines 7 and 8 are mis-dated (2026-10/12 scraped
	// in 2026-01), fixed to 2025 and then supersede lines 5 and 6.
	require.Equal(t, Stats{Rows: 38, Prices: 30, Skipped: 6, Duplicates: 2, DatesFixed: 2}, st)
	require.Len(t, out, 30)
	lines := byLine(out)
	for _, skipped := range []int{2, 5, 6, 9, 16, 17, 20, 37} {
		require.NotContains(t, lines, skipped, "line %d", skipped)
	}

	// Line 3: SV01,Booster Box,3M,Base Set,2025-04-24,2025-04-26,…,194.71,24
	require.Equal(t, catalog.ImportPrice{
		Ref: catalog.PriceRef{Sealed: &catalog.SealedKey{
			Game: catalog.GamePokemon, Set: "sv1", Name: "Base Set Booster Box", ProductType: "booster_box",
		}},
		Source: "tcgplayer", Region: catalog.RegionUS, PriceType: "market", Currency: "USD",
		AmountMinor: 19471, AsOf: date("2025-04-26"), Line: 3,
	}, out[0])

	// Line 10: SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,…,49.73,12
	require.Equal(t, catalog.ImportPrice{
		Ref: catalog.PriceRef{Card: &catalog.CardKey{
			Game: catalog.GamePokemon, Set: "sv1", Number: "245", Name: "Gardevoir ex", Finish: "holofoil",
		}},
		Source: "tcgplayer", Region: catalog.RegionUS, PriceType: "market", Currency: "USD",
		AmountMinor: 4973, AsOf: date("2025-04-22"), Line: 10,
	}, lines[10][0])

	// Line 7 (2026-10-06, scraped 2026-01-01) replaces line 5 (2025-10-06) in place.
	p := lines[7][0]
	require.Equal(t, date("2025-10-06"), p.AsOf)
	require.Equal(t, int64(24685), p.AmountMinor)
	require.Equal(t, lines[7][0], out[2], "a superseding row keeps the first row's position")
	// Line 8 (2026-12-30 → 2025-12-30, $223.05 from the later scrape) wins over line 6 ($218.18).
	require.Equal(t, date("2025-12-30"), lines[8][0].AsOf)
	require.Equal(t, int64(22305), lines[8][0].AmountMinor)

	// Set codes, numbers and names as the catalogue spells them.
	for _, tc := range []struct {
		line                       int
		set, number, name, product string
		amount                     int64
		asOf                       string
	}{
		{line: 19, set: "sv3pt5", number: "199", name: "Charizard ex", amount: 19779, asOf: "2025-06-04"},
		{line: 21, set: "sv3pt5", name: "151 Elite Trainer Box", product: "elite_trainer_box", amount: 23336, asOf: "2025-06-03"},
		{line: 23, set: "sv6pt5", number: "92", name: "Fezandipiti ex", amount: 4140, asOf: "2025-07-10"},
		{line: 26, set: "sv10", name: "Destined Rivals Booster Box", product: "booster_box", amount: 24576, asOf: "2025-06-11"},
		{line: 28, set: "swsh7", number: "215", name: "Umbreon VMAX", amount: 213624, asOf: "2026-05-02"}, // volume 0 is still a price
		{line: 31, set: "cel25", name: "Celebrations Elite Trainer Box", product: "elite_trainer_box", amount: 13181, asOf: "2025-05-01"},
		{line: 34, set: "swsh9", number: "154", name: "Charizard V", amount: 24891, asOf: "2025-09-02"},
		{line: 36, set: "swsh12", number: "186", name: "Lugia V", amount: 45286, asOf: "2025-10-12"},
		{line: 39, set: "swsh12pt5", name: "Crown Zenith Elite Trainer Box", product: "elite_trainer_box", amount: 29166, asOf: "2026-03-02"},
	} {
		require.Len(t, lines[tc.line], 1, "line %d", tc.line)
		p := lines[tc.line][0]
		require.Equal(t, tc.amount, p.AmountMinor, "line %d", tc.line)
		require.Equal(t, date(tc.asOf), p.AsOf, "line %d", tc.line)
		if tc.product != "" {
			require.Equal(t, &catalog.SealedKey{Game: "pokemon", Set: tc.set, Name: tc.name, ProductType: tc.product}, p.Ref.Sealed, "line %d", tc.line)
			require.Nil(t, p.Ref.Card)
			continue
		}
		require.Equal(t, &catalog.CardKey{Game: "pokemon", Set: tc.set, Number: tc.number, Name: tc.name, Finish: "holofoil"}, p.Ref.Card, "line %d", tc.line)
		require.Nil(t, p.Ref.Sealed)
	}
	for _, p := range out {
		require.Nil(t, p.Ref.XRef)
		require.Empty(t, p.GradingCompany)
		require.Empty(t, p.Grade)
		require.False(t, p.IsOutlier)
		require.Positive(t, p.AmountMinor)
		require.Equal(t, time.UTC, p.AsOf.Location())
	}
}

const tcgplayerHeader = "set,type,period,name,period_start_date,period_end_date,timestamp,holofoil_price,volume\n"

func TestParseTCGplayerDailyDuplicates(t *testing.T) {
	t.Parallel()
	in := tcgplayerHeader +
		"SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-24 16:01:39,49.73,12\n" +
		"SV01,Card,3M,Gardevoir ex 245,2025-04-21,2025-04-23,2025-07-24 16:01:39,49.70,3\n" +
		"sv1,Card,1M,Gardevoir ex 0245,2025-04-21,2025-04-22,2025-07-25 16:01:39,50.01,12\n" + // same series and day as line 2
		"SV01,Booster Box,3M,Base Set,2025-04-20,2025-04-22,2025-07-24 16:01:39,194.71,2\n" + // other series, same day
		"SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-26 16:01:39,0.0,0\n" // no price: does not supersede
	out, st, err := ParseTCGplayerDaily("daily.csv", strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, Stats{Rows: 5, Prices: 3, Skipped: 1, Duplicates: 1}, st)
	require.Equal(t, 4, out[0].Line)
	require.Equal(t, int64(5001), out[0].AmountMinor)
	require.Equal(t, date("2025-04-22"), out[0].AsOf)
	require.Equal(t, 3, out[1].Line)
	require.Equal(t, 5, out[2].Line)
	require.NotNil(t, out[2].Ref.Sealed)
}

func TestParseTCGplayerDailySkips(t *testing.T) {
	t.Parallel()
	in := tcgplayerHeader +
		"SV01,Booster Box,3M,Base Set,,,2025-09-09 06:36:20,0.0,0\n" + // no dates
		"SV01,Booster Box,3M,Base Set,2025-04-24,,2025-07-24 22:00:57,194.71,24\n" + // no end date
		"SV01,Booster Box,3M,Base Set,,2025-04-26,2025-07-24 22:00:57,194.71,24\n" + // no start date
		"SV01,Booster Box,3M,Base Set,2025-04-24,2025-04-26,2025-07-24 22:00:57,0.0,0\n" + // zero, no sales
		"SV01,Booster Box,3M,Base Set,2025-04-24,2025-04-26,2025-07-24 22:00:57,0,5\n" + // zero with sales
		"SV01,Booster Box,3M,Base Set,2025-04-24,2025-04-26,2025-07-24 22:00:57,,5\n" + // empty price
		"SV01,Booster Box,3M,Base Set,2026-04-24,2027-04-26,2025-07-24 22:00:57,194.71,5\n" + // after its scrape even a year back
		"SV01,Booster Box,3M,Base Set,2025-04-24,2025-04-26,,194.71,\n" // no timestamp, no volume: a price
	out, st, err := ParseTCGplayerDaily("daily.csv", strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, Stats{Rows: 8, Prices: 1, Skipped: 7}, st)
	require.Equal(t, 9, out[0].Line)
}

func TestParseTCGplayerDailyMalformed(t *testing.T) {
	t.Parallel()
	good := "SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-24 16:01:39,49.73,12\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty file", "", "daily.csv:1: empty file"},
		{"missing column", "set,type,name,period_end_date,volume\n", `daily.csv:1: missing column "holofoil_price"`},
		{"too few columns", tcgplayerHeader + good + good + good + "SV01,Card,3M,Gardevoir ex 245,2025-04-20\n", "daily.csv:5: wrong number of fields"},
		{"too many columns", tcgplayerHeader + good + "SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-24 16:01:39,49.73,12,x\n", "daily.csv:3: wrong number of fields"},
		{"price", tcgplayerHeader + good + good + good + "SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-24 16:01:39,abc,12\n", `daily.csv:5: holofoil_price: invalid amount "abc"`},
		{"negative price", tcgplayerHeader + "SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-24 16:01:39,-4.5,12\n", "daily.csv:2: holofoil_price"},
		{"end date", tcgplayerHeader + good + "SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-13-22,2025-07-24 16:01:39,49.73,12\n", `daily.csv:3: period_end_date: bad date "2025-13-22"`},
		{"start date", tcgplayerHeader + "SV01,Card,3M,Gardevoir ex 245,20.04.2025,2025-04-22,2025-07-24 16:01:39,49.73,12\n", "daily.csv:2: period_start_date"},
		{"timestamp", tcgplayerHeader + "SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,yesterday,49.73,12\n", "daily.csv:2: timestamp"},
		{"volume", tcgplayerHeader + "SV01,Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-24 16:01:39,49.73,1.5\n", `daily.csv:2: volume "1.5"`},
		{"period order", tcgplayerHeader + "SV01,Card,3M,Gardevoir ex 245,2025-04-22,2025-04-20,2025-07-24 16:01:39,49.73,12\n", "daily.csv:2: period ends"},
		{"card without number", tcgplayerHeader + "SV01,Card,3M,Gardevoir,2025-04-20,2025-04-22,2025-07-24 16:01:39,49.73,12\n", `daily.csv:2: card name "Gardevoir"`},
		{"empty set", tcgplayerHeader + ",Card,3M,Gardevoir ex 245,2025-04-20,2025-04-22,2025-07-24 16:01:39,49.73,12\n", "daily.csv:2: empty set"},
		{"bad quote", tcgplayerHeader + good + "SV01,Card,3M,\"Gardevoir ex 245,2025-04-20\n", "daily.csv:3"},
		// A malformed row fails even when it would have been skipped.
		{"skipped row with bad price", tcgplayerHeader + "SV01,Card,3M,Gardevoir ex 245,,,2025-07-24 16:01:39,x,0\n", "daily.csv:2: holofoil_price"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, st, err := ParseTCGplayerDaily("daily.csv", strings.NewReader(tc.in))
			importertest.RequireInvalid(t, err, tc.want, "parse tcgplayer daily: ")
			require.Nil(t, out)
			require.Zero(t, st)
		})
	}
}

func TestParseTCGplayerDailyHeaderOnlyAndBOM(t *testing.T) {
	t.Parallel()
	out, st, err := ParseTCGplayerDaily("daily.csv", strings.NewReader(tcgplayerHeader))
	require.NoError(t, err)
	require.Empty(t, out)
	require.Zero(t, st)

	in := "\ufeff" + strings.ReplaceAll(tcgplayerHeader+
		"SV03.5,Elite Trainer Box,3M,151,2025-06-01,2025-06-03,2025-07-27 06:18:45,233.36,7\n", "\n", "\r\n")
	out, st, err = ParseTCGplayerDaily("daily.csv", strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, Stats{Rows: 1, Prices: 1}, st)
	require.Equal(t, "sv3pt5", out[0].Ref.Sealed.Set)
	require.Equal(t, int64(23336), out[0].AmountMinor)
}

func TestPokemonSetCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		// Every set of the real TCGplayer file.
		"SV01": "sv1", "SV02": "sv2", "SV03": "sv3", "SV03.5": "sv3pt5", "SV04": "sv4", "SV04.5": "sv4pt5",
		"SV05": "sv5", "SV06": "sv6", "SV06.5": "sv6pt5", "SV07": "sv7", "SV08": "sv8", "SV08.5": "sv8pt5",
		"SV09": "sv9", "SV10": "sv10", "SWSH06": "swsh6", "SWSH07": "swsh7", "SWSH07.5": "cel25",
		"SWSH08": "swsh8", "SWSH09": "swsh9", "SWSH10": "swsh10", "SWSH11": "swsh11", "SWSH12": "swsh12",
		"SWSH12.5": "swsh12pt5",
		// Other spellings.
		"sv1": "sv1", "SV3PT5": "sv3pt5", "sv3pt5": "sv3pt5", "SWSH3.5": "swsh35", " SV04.5 ": "sv4pt5",
		// Unknown: kept as is.
		"SV10.5": "SV10.5", "SVP": "SVP", "SVE": "SVE", "SM12": "SM12", "SV00": "SV00", "SV": "SV",
		"SV1234": "SV1234", "SV9.5": "SV9.5", "": "", "XY1": "XY1",
	} {
		require.Equal(t, want, PokemonSetCode(in), "input %q", in)
	}
}

func TestPokemonCardKeyNormalisation(t *testing.T) {
	t.Parallel()
	require.Equal(t, "92", pokemonNumber("092"))
	require.Equal(t, "0", pokemonNumber("000"))
	require.Equal(t, "TG01", pokemonNumber("TG01"))
	require.Equal(t, "Umbreon VMAX", pokemonCardName("Umbreon vmax"))
	require.Equal(t, "Arceus VSTAR", pokemonCardName("Arceus vstar"))
	require.Equal(t, "Charizard V", pokemonCardName("Charizard v"))
	require.Equal(t, "Mew ex", pokemonCardName("Mew ex"))
	require.Equal(t, "Lillies Clefairy ex", pokemonCardName("Lillies  Clefairy ex"))
}
