package collection_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
)

// Header rows of the layouts, as the apps write them.
const (
	csmHeader      = "card_id,quantity,condition,price_paid\n"
	manaboxHeader  = "Name,Set code,Set name,Collector number,Foil,Rarity,Quantity,ManaBox ID,Scryfall ID,Purchase price,Misprint,Altered,Condition,Language,Purchase price currency\n"
	moxfieldHeader = `"Count","Tradelist Count","Name","Edition","Condition","Language","Foil","Tags","Last Modified","Collector Number","Alter","Proxy","Purchase Price"` + "\n"
)

func TestParseCollectionCSV(t *testing.T) {
	t.Parallel()
	f, rows, err := collection.ParseCollectionCSV(strings.NewReader(csmHeader + "441076,2,LP,300\n\n500001,,,\n"))
	require.NoError(t, err)
	require.Equal(t, collection.FormatCSM, f)
	require.Len(t, rows, 2)
	require.Equal(t, 2, rows[0].Entry.Quantity)
	require.Equal(t, collection.Lightly, rows[0].Entry.Condition)
	require.Equal(t, int64(30000), *rows[0].Entry.PricePaidMinor)
	require.Equal(t, 4, rows[1].Line)
	require.Equal(t, 1, rows[1].Entry.Quantity)

	f, rows, err = collection.ParseCollectionCSV(strings.NewReader(manaboxHeader +
		"Lightning Bolt,M10,Magic 2010,146,foil,common,3,1234,abc,1.50,false,false,near_mint,en,USD\n"))
	require.NoError(t, err)
	require.Equal(t, collection.FormatManaBox, f)
	require.Equal(t, collection.NumberKey{Game: collection.GameMTG, Set: "M10", Number: "146"}, *rows[0].Key)
	require.Equal(t, "foil", rows[0].Finish)
	require.Equal(t, 3, rows[0].Entry.Quantity)

	f, rows, err = collection.ParseCollectionCSV(strings.NewReader(moxfieldHeader +
		`"2","0","Ponder","m10","Lightly Played","English","","","2024-01-01 00:00:00.000000","68","False","False","0.25"` + "\n"))
	require.NoError(t, err)
	require.Equal(t, collection.FormatMoxfield, f)
	require.Equal(t, "m10", rows[0].Key.Set)
	require.Equal(t, collection.Lightly, rows[0].Entry.Condition)

	for in, line := range map[string]string{
		"":                                          "line 1",
		"name,price\nx,1\n":                         "line 1",
		csmHeader:                                   "line 2",
		csmHeader + "1,1,NM,1\nx,1,NM,1\n":          "line 3",
		csmHeader + "1,0,NM,1\n":                    "line 2",
		csmHeader + "1,1,MINT,1\n":                  "line 2",
		csmHeader + "1,1,NM,-5\n":                   "line 2",
		csmHeader + "1,1,NM,1\n2,\"oops\n":          "line 3",
		manaboxHeader + "Bolt,,x,146,,,1\n":         "line 2",
		manaboxHeader + "Bolt,M10,x,146,shiny,,1\n": "line 2",
	} {
		_, _, err := collection.ParseCollectionCSV(strings.NewReader(in))
		require.Error(t, err, in)
		require.Equal(t, catalog.EVALIDATION, catalog.ErrorCode(err), in)
		require.True(t, strings.HasPrefix(catalog.ErrorMessage(err), line+":"), "%q: %s", in, catalog.ErrorMessage(err))
	}
	_, _, err = collection.ParseCollectionCSV(strings.NewReader(csmHeader + strings.Repeat("1,1,NM,1"+strings.Repeat(" ", 200)+"\n", 30_000)))
	require.Equal(t, catalog.ETOOLARGE, catalog.ErrorCode(err))
}

// fuzzCSV checks the parser's promises on any input: a 4xx error or rows
// that respect every limit.
func fuzzCSV(t *testing.T, in string) {
	f, rows, err := collection.ParseCollectionCSV(strings.NewReader(in))
	if err != nil {
		code := catalog.ErrorCode(err)
		require.Contains(t, []string{catalog.EVALIDATION, catalog.ETOOLARGE}, code, "%v", err)
		return
	}
	require.NotEmpty(t, f)
	require.NotEmpty(t, rows)
	for _, r := range rows {
		require.GreaterOrEqual(t, r.Line, 2)
		require.GreaterOrEqual(t, r.Entry.Quantity, 1)
		require.LessOrEqual(t, r.Entry.Quantity, collection.MaxQuantity)
		require.Contains(t, collection.Conditions, r.Entry.Condition)
		if r.Key == nil {
			require.Positive(t, r.Entry.CardID)
		} else {
			require.NotEmpty(t, r.Key.Set)
			require.NotEmpty(t, r.Key.Number)
		}
		if r.Entry.PricePaidMinor != nil {
			require.GreaterOrEqual(t, *r.Entry.PricePaidMinor, int64(0))
		}
	}
}

func FuzzParseCSMCSV(f *testing.F) {
	f.Add(csmHeader + "441076,2,LP,300\n")
	f.Add("card_id,name,set,tcg,quantity,condition,variant,price_paid,current_value,graded,grading_company,grade\n1,x,y,z,1,NM,holo,1,2,true,PSA,9.5\n")
	f.Add(csmHeader + "1,1,NM,\"1\n")
	f.Fuzz(fuzzCSV)
}

func FuzzParseManaBoxCSV(f *testing.F) {
	f.Add(manaboxHeader + "Lightning Bolt,M10,Magic 2010,146,foil,common,3,1234,abc,1.50,false,false,near_mint,en,USD\n")
	f.Add(manaboxHeader + "X,M10,,1,normal,,999999,,,,,,,,\n")
	f.Fuzz(fuzzCSV)
}

func FuzzParseMoxfieldCSV(f *testing.F) {
	f.Add(moxfieldHeader + `"2","0","Ponder","m10","Lightly Played","English","foil","","","68","False","False","0.25"` + "\n")
	f.Add(moxfieldHeader + `"1","0","A","","","","","","","","","",""` + "\n")
	f.Fuzz(fuzzCSV)
}
