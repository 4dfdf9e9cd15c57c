package yugioh

import (
	"bytes"
	"os"
	"testing"

	"github.com/collectorstash/csm/importer/importertest"
)

func FuzzParseCardsJSONL(f *testing.F) {
	data, err := os.ReadFile("testdata/cards.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("{\"name\": \"A\", \"number\": \"1\"}\r\n\n{\"name\": \"A\"}\nnull\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cards, err := ParseCards("cards.jsonl", bytes.NewReader(data))
		if !importertest.ParsedOrInvalid(t, err) {
			return
		}
		for name, c := range cards {
			if name == "" || c.Name != name || c.Line < 1 {
				t.Fatalf("bad card %q: %+v", name, c)
			}
		}
	})
}

func FuzzParseSetsJSONL(f *testing.F) {
	cardsData, err := os.ReadFile("testdata/cards.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	cards, err := ParseCards("cards.jsonl", bytes.NewReader(cardsData))
	if err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile("testdata/sets.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"name": "A", "date": "2001/02/03", "cards": [{"card_name": "Yami", "set_number": "X-DE1", "rarities": ["", "Gold Rare", "gold rare"]}]}` + "\n" +
		`{"name": "a!", "type": "Promo", "cards": [{"card_name": "Yami", "set_number": "X-DE1"}, {"card_name": "Yami", "set_number": "X-DE1", "rarities": ["Common"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sets, err := ParseSets("sets.jsonl", bytes.NewReader(data), cards, Options{ImagesDir: "testdata/images"})
		if !importertest.ParsedOrInvalid(t, err) {
			return
		}
		importertest.RequireNaturalKeys(t, sets)
	})
}
