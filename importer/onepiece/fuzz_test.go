package onepiece

import (
	"testing"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

// FuzzParseSetJSON feeds arbitrary bytes as a set file: ParseSet must either
// return a valid set or an EINVALID error, never panic.
func FuzzParseSetJSON(f *testing.F) {
	for _, name := range []string{"op01.json", "prb01.json", "st13.json", "st16.json"} {
		f.Add(readFile(f, name).Data)
	}
	f.Add([]byte(""))
	f.Add([]byte(`[{"cardCode": "P-001_p1", "isParallel": true, "parallelIndex": 1, "nameJp": "x"}]`))
	f.Add([]byte(`[{"cardCode": "_r99999999999999999999", "nameEn": " (Parallel)"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSet("op01.json", data)
		if !importertest.ParsedOrInvalid(t, err) {
			return
		}
		importertest.RequireValid(t, []catalog.ImportSet{s})
	})
}
