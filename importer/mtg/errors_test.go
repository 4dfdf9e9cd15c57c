package mtg

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/importer/importertest"
)

// gz compresses data.
func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

func TestParseSetFileMalformed(t *testing.T) {
	t.Parallel()
	fbb, err := os.ReadFile("testdata/FBB.json")
	require.NoError(t, err)
	neo, err := os.ReadFile("testdata/NEO.json.gz")
	require.NoError(t, err)
	truncated := fbb[:len(fbb)/2]
	minimal := func(cards string) []byte {
		return []byte("{\"meta\": {},\n \"data\": {\"code\": \"X\", \"name\": \"X\",\n  \"cards\": [\n" + cards + "\n]}}")
	}
	cases := map[string]struct {
		data []byte
		want string
	}{
		"truncated JSON":    {truncated, importertest.At("FBB.json", bytes.Count(truncated, []byte{'\n'})+1) + " invalid JSON"},
		"truncated in gzip": {gz(t, truncated), importertest.At("FBB.json", bytes.Count(truncated, []byte{'\n'})+1) + " invalid JSON"},
		"wrong type": {
			bytes.Replace(fbb, []byte(`"number": "2"`), []byte(`"number": 2`), 1),
			importertest.At("FBB.json", importertest.LineOf(t, fbb, `"number": "2"`)) + " field number at offset",
		},
		"wrong type in set": {
			bytes.Replace(fbb, []byte(`"baseSetSize": 306`), []byte(`"baseSetSize": "306"`), 1),
			importertest.At("FBB.json", importertest.LineOf(t, fbb, `"baseSetSize": 306`)),
		},
		"cards not an array": {
			bytes.Replace(fbb, []byte(`"cards": [`), []byte(`"cards": 5, "x": [`), 1),
			importertest.At("FBB.json", importertest.LineOf(t, fbb, `"cards": [`)) + " expected a JSON array",
		},
		"bad identifier": {
			bytes.Replace(fbb, []byte(`"mcmId": "15362"`), []byte(`"mcmId": [1]`), 1),
			importertest.At("FBB.json", importertest.LineOf(t, fbb, `"cards": [`)+1) + " field identifiers.mcmId",
		},
		"bad gzip header": {[]byte{0x1f, 0x8b, 0, 0, 0, 0}, "FBB.json: gzip:"},
		"truncated gzip":  {neo[:len(neo)/2], "FBB.json:1: gzip: unexpected EOF"},
		"corrupt gzip":    {append(append([]byte{}, neo[:20]...), bytes.Repeat([]byte{0xff}, 200)...), "FBB.json:1: gzip:"},
		"not an object":   {[]byte("[]"), importertest.At("FBB.json", 1) + " expected a JSON object"},
		"empty":           {nil, importertest.At("FBB.json", 1) + " invalid JSON"},
		"no data":         {[]byte(`{"meta": {}}`), importertest.At("FBB.json", 1) + ` missing "data" object`},
		"trailing data":   {[]byte("{\"data\": {\"code\": \"X\", \"name\": \"X\"}}\n{}"), importertest.At("FBB.json", 2) + " unexpected data"},
		"missing code":    {[]byte("{\"meta\": {},\n\"data\": {\"name\": \"X\"}}"), importertest.At("FBB.json", 2) + " set: missing code"},
		"missing name":    {[]byte("{\n\"data\":\n {\"code\": \"X\"}}"), importertest.At("FBB.json", 3) + " set X: missing name"},
		"bad date":        {[]byte(`{"data": {"code": "X", "name": "X", "releaseDate": "2022-02-30"}}`), importertest.At("FBB.json", 1) + " set X: releaseDate"},
		"card no number":  {minimal("{\"name\": \"A\", \"number\": \"1\"},\n  {\"name\": \"B\", \"uuid\": \"u\"}"), importertest.At("FBB.json", 5) + ` card "B": missing number`},
		"card no name":    {minimal("{\"uuid\": \"u1\", \"number\": \"1\"}"), importertest.At("FBB.json", 4) + ` card "u1": missing name`},
		"sealed no name": {
			[]byte("{\"data\": {\"code\": \"X\", \"name\": \"X\",\n\"sealedProduct\": [\n{\"uuid\": \"s1\"}]}}"),
			importertest.At("FBB.json", 3) + ` sealed product "s1": missing name`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSetFile("testdata/FBB.json", bytes.NewReader(tc.data))
			importertest.RequireInvalid(t, err, tc.want)
		})
	}
}

func TestParseMalformedFiles(t *testing.T) {
	t.Parallel()
	dir := importertest.CopyTestdata(t)
	file := filepath.Join(dir, "KHM.json.gz")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, data[:len(data)-30], 0o644))
	_, _, err = Parse(dir)
	importertest.RequireInvalid(t, err, "mtg: set file KHM.json.gz: ")
	require.ErrorContains(t, err, file+":1: gzip: unexpected EOF")

	// The same set twice.
	require.NoError(t, os.WriteFile(file, data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "KHM2.json.gz"), data, 0o644))
	_, _, err = Parse(dir)
	importertest.RequireInvalid(t, err, `set code "KHM" already read from `+file)

	_, _, err = Parse(t.TempDir())
	require.ErrorContains(t, err, "mtg: list sets: no *.json.gz or *.json files")
	_, _, err = Parse(filepath.Join(dir, "missing"))
	require.ErrorContains(t, err, "mtg: stat")
	require.ErrorIs(t, err, os.ErrNotExist)
}
