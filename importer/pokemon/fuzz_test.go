package pokemon

import (
	"os"
	"testing"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

func FuzzParseSets(f *testing.F) {
	data, err := os.ReadFile("testdata/sets/en.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`[{"id":"a","name":"A","releaseDate":"1999/01/09","printedTotal":-1}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sets, err := ParseSets("en.json", data)
		if !importertest.ParsedOrInvalid(t, err) {
			return
		}
		seen := map[string]bool{}
		for _, s := range sets {
			if !validID(s.Code) || s.Name == "" || seen[s.Code] {
				t.Fatalf("bad set %+v", s)
			}
			seen[s.Code] = true
		}
	})
}

func FuzzParseCards(f *testing.F) {
	for _, id := range []string{"base1", "sv3pt5", "mep"} {
		data, err := os.ReadFile("testdata/cards/en/" + id + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`[{"id":"a-1","name":"A","number":"1","tcgplayer":{"prices":{"1stEditionHolofoil":{},"reverseHolofoil":{}}}}]`))
	set := catalog.ImportSet{Code: "x", Language: "en"}
	f.Fuzz(func(t *testing.T, data []byte) {
		cards, err := ParseCards("x.json", data, set, Options{ImagesDir: "testdata/images"})
		if !importertest.ParsedOrInvalid(t, err) {
			return
		}
		importertest.RequireNaturalKeys(t, []catalog.ImportSet{{Code: "x", Cards: cards}})
	})
}
