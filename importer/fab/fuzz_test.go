package fab

import (
	"testing"

	"github.com/collectorstash/csm/importer/importertest"
)

// fuzzFiles runs ParseFiles with one file replaced by fuzz input: it must
// either succeed with valid output or fail with an EINVALID error.
func fuzzFiles(f *testing.F, seed func(Files) []byte, set func(*Files, []byte)) {
	base := readTestdata(f)
	f.Add(seed(base))
	f.Add([]byte(""))
	f.Add([]byte("Unique ID\tName\n\"a\tb\n"))
	f.Add([]byte("\ufeffUnique ID\n\"\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files := base
		set(&files, data)
		_, sets, err := ParseFiles(files)
		if !importertest.ParsedOrInvalid(t, err) {
			return
		}
		importertest.RequireValid(t, sets)
	})
}

func FuzzParseCardCSV(f *testing.F) {
	fuzzFiles(f, func(x Files) []byte { return x.Cards }, func(x *Files, b []byte) { x.Cards = b })
}

func FuzzParsePrintingCSV(f *testing.F) {
	fuzzFiles(f, func(x Files) []byte { return x.Printings }, func(x *Files, b []byte) { x.Printings = b })
}

func FuzzParseSetCSV(f *testing.F) {
	fuzzFiles(f, func(x Files) []byte { return x.Sets }, func(x *Files, b []byte) { x.Sets = b })
}
