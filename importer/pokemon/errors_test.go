package pokemon

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer/importertest"
)

func TestParseSetsMalformed(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/sets/en.json")
	require.NoError(t, err)
	truncated := data[:len(data)/2]
	cases := map[string]struct {
		data []byte
		want string
	}{
		"truncated": {truncated, importertest.At("en.json", bytes.Count(truncated, []byte{'\n'})+1)},
		"wrong type": {
			bytes.Replace(data, []byte(`"printedTotal": 165`), []byte(`"printedTotal": "165"`), 1),
			importertest.At("en.json", importertest.LineOf(t, data, `"printedTotal": 165`)) + " field printedTotal",
		},
		"not an array":    {[]byte(`{"id": "base1"}`), importertest.At("en.json", 1) + " expected a JSON array"},
		"empty":           {nil, "en.json:1:"},
		"syntax":          {[]byte("[\n{\"id\": \"a\", \"name\": \"A\"},\n{\"id\" \"b\"}\n]"), importertest.At("en.json", 3) + " invalid JSON"},
		"trailing data":   {[]byte("[]\n[]"), importertest.At("en.json", 2)},
		"missing id":      {[]byte("[\n{\"name\": \"Base\"}\n]"), importertest.At("en.json", 2) + ` set id ""`},
		"path in id":      {[]byte(`[{"id": "../etc", "name": "x"}]`), importertest.At("en.json", 1) + ` set id "../etc"`},
		"missing name":    {[]byte("[\n{\"id\": \"base1\"}\n]"), importertest.At("en.json", 2) + " set base1: missing name"},
		"bad date":        {[]byte("[\n{\"id\": \"a\", \"name\": \"A\", \"releaseDate\": \"1999/13/40\"}\n]"), importertest.At("en.json", 2) + " set a: releaseDate"},
		"duplicate id":    {[]byte("[\n{\"id\": \"a\", \"name\": \"A\"},\n{\"id\": \"a\", \"name\": \"B\"}\n]"), importertest.At("en.json", 3) + ` set id "a" repeats the set of line 2`},
		"element not obj": {[]byte("[\n{\"id\": \"a\", \"name\": \"A\"},\n7\n]"), importertest.At("en.json", 3) + " field (value)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSets("testdata/sets/en.json", tc.data)
			importertest.RequireInvalid(t, err, tc.want)
		})
	}
}

func TestParseCardsMalformed(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/cards/en/base1.json")
	require.NoError(t, err)
	truncated := data[:len(data)-10]
	set := catalog.ImportSet{Code: "base1", Language: "en"}
	cases := map[string]struct {
		data []byte
		want string
	}{
		"truncated": {truncated, importertest.At("base1.json", bytes.Count(truncated, []byte{'\n'})+1)},
		"wrong type": {
			bytes.Replace(data, []byte(`"name": "Pikachu"`), []byte(`"name": 25`), 1),
			importertest.At("base1.json", importertest.LineOf(t, data, `"name": "Pikachu"`)) + " field name",
		},
		"subtypes not a list": {
			bytes.Replace(data, []byte("\"subtypes\": [\n      \"Basic\"\n    ]"), []byte(`"subtypes": "Basic"`), 1),
			importertest.At("base1.json", importertest.LineOf(t, data, "\"subtypes\": [\n      \"Basic\"")) + " field subtypes",
		},
		"missing number": {
			bytes.Replace(data, []byte(`"number": "58"`), []byte(`"number": ""`), 1),
			importertest.At("base1.json", importertest.LineOf(t, data, `"id": "base1-58"`)-1) + ` card "base1-58": missing number`,
		},
		"missing name": {[]byte("[\n\n  {\"id\": \"x-1\", \"number\": \"1\"}]"), importertest.At("base1.json", 3) + ` card "x-1": missing name`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseCards("testdata/cards/en/base1.json", tc.data, set, Options{})
			importertest.RequireInvalid(t, err, tc.want)
		})
	}
}

func TestParseMalformedFiles(t *testing.T) {
	t.Parallel()
	dir := importertest.CopyTestdata(t)
	file := filepath.Join(dir, "cards", "en", "sv3pt5.json")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, data[:200], 0o644))
	_, _, err = Parse(dir, Options{})
	importertest.RequireInvalid(t, err, "pokemon: cards of set sv3pt5: ")
	require.ErrorContains(t, err, importertest.At(file, bytes.Count(data[:200], []byte{'\n'})+1))

	require.NoError(t, os.Remove(file))
	_, _, err = Parse(dir, Options{})
	require.ErrorContains(t, err, "pokemon: read cards of set sv3pt5")
	require.ErrorIs(t, err, os.ErrNotExist)

	_, _, err = Parse(t.TempDir(), Options{})
	require.ErrorContains(t, err, "pokemon: read sets")
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestParseBadImage(t *testing.T) {
	t.Parallel()
	imgs := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(imgs, "base1-58.png"), []byte("not a png"), 0o644))
	_, _, err := Parse("testdata", Options{ImagesDir: imgs})
	importertest.RequireInvalid(t, err, "base1-58.png")
	require.ErrorContains(t, err, "base1.json:")
}
