package mtg

import (
	"bytes"
	"os"
	"testing"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

func FuzzParseSetFile(f *testing.F) {
	for _, name := range []string{"FBB.json", "KHM.json.gz", "NEO.json.gz"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"data": {"code": "X", "name": "X", "isForeignOnly": true, "cards": [
{"name": "A // B", "number": "1", "side": "b", "finishes": ["etched", "nonfoil"], "identifiers": {"tcgplayerEtchedProductId": 5, "mcmId": null}},
{"name": "A // B", "number": "1", "side": "a", "foreignData": [{"language": "German"}], "isOnlineOnly": false}],
"sealedProduct": [{"name": "X Booster Box", "category": "booster_box", "identifiers": {"mcmId": "1"}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := ParseSetFile("set.json", bytes.NewReader(data))
		if !importertest.ParsedOrInvalid(t, err) {
			return
		}
		importertest.RequireNaturalKeys(t, []catalog.ImportSet{set})
	})
}
