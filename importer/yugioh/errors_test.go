package yugioh

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/importer/importertest"
)

// replaceLine returns data with its 1-based line n replaced by line.
func replaceLine(data []byte, n int, line string) []byte {
	lines := bytes.Split(data, []byte{'\n'})
	lines[n-1] = []byte(line)
	return bytes.Join(lines, []byte{'\n'})
}

func TestParseCardsMalformed(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/cards.jsonl")
	require.NoError(t, err)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"bad line":      {replaceLine(data, 3, `{"name": "Flame Swordsman", "number": `), "cards.jsonl:3: invalid JSON"},
		"truncated":     {data[:len(data)-40], "cards.jsonl:15: invalid JSON"},
		"wrong type":    {replaceLine(data, 5, `{"name": "X", "number": 86308219}`), "cards.jsonl:5: field number at column"},
		"array line":    {replaceLine(data, 2, `["Blue Flame Swordsman"]`), "cards.jsonl:2: field (record)"},
		"trailing data": {replaceLine(data, 4, `{"name": "X"} {}`), "cards.jsonl:4: invalid JSON"},
		"missing name":  {replaceLine(data, 6, `{"number": "1"}`), "cards.jsonl:6: card: missing name"},
		"null line":     {replaceLine(data, 7, `null`), "cards.jsonl:7: card: missing name"},
		"huge line":     {[]byte(`{"name": "a"}` + "\n" + `{"name": "` + strings.Repeat("x", MaxLineSize) + `"}`), "cards.jsonl:2: line longer than"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseCards("testdata/cards.jsonl", bytes.NewReader(tc.data))
			importertest.RequireInvalid(t, err, tc.want)
		})
	}
}

func TestParseCardsLenient(t *testing.T) {
	t.Parallel()
	cards, err := ParseCards("cards.jsonl", strings.NewReader(
		"\n{\"name\": \"A\", \"number\": \"0012\", \"type\": \"Trap\"}\r\n\n{\"name\": \"A\", \"number\": \"2\"}\n{\"name\": \"Token\", \"number\": \"n/a\"}"))
	require.NoError(t, err)
	require.Equal(t, map[string]Card{
		"A":     {Name: "A", Passcode: "0012", Type: "Trap", Line: 2},
		"Token": {Name: "Token", Line: 5},
	}, cards, "blank lines are skipped, a repeated name keeps its first record, a non-numeric passcode is none")
}

func TestParseSetsMalformed(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/sets.jsonl")
	require.NoError(t, err)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"bad line":       {replaceLine(data, 3, `{"name": "X", "cards": [}`), "sets.jsonl:3: invalid JSON"},
		"truncated":      {data[:len(data)/2], "sets.jsonl:4: invalid JSON"},
		"wrong type":     {replaceLine(data, 2, `{"name": "X", "cards": [{"card_name": "A", "set_number": "X-1", "rarities": "Common"}]}`), "sets.jsonl:2: field cards.rarities at column"},
		"cards not list": {replaceLine(data, 6, `{"name": "X", "cards": {}}`), "sets.jsonl:6: field cards"},
		"missing name":   {replaceLine(data, 7, `{"name": " ", "cards": []}`), "sets.jsonl:7: set: missing name"},
		"no card name":   {replaceLine(data, 1, `{"name": "X", "cards": [{"set_number": "X-1"}]}`), `sets.jsonl:1: set "X": card "X-1": missing card_name`},
		"no set number":  {replaceLine(data, 1, `{"name": "X", "cards": [{"card_name": "A"}]}`), `sets.jsonl:1: set "X": card "A": missing set_number`},
		"bad date":       {replaceLine(data, 5, `{"name": "X", "date": "2013-02-29"}`), `sets.jsonl:5: set "X": date`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSets("testdata/sets.jsonl", bytes.NewReader(tc.data), nil, Options{})
			importertest.RequireInvalid(t, err, tc.want)
		})
	}
}

func TestParseMalformedFiles(t *testing.T) {
	t.Parallel()
	dir := importertest.CopyTestdata(t)
	file := filepath.Join(dir, "cards.jsonl")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, replaceLine(data, 3, "{"), 0o644))
	_, _, err = Parse(dir, Options{})
	importertest.RequireInvalid(t, err, "yugioh: cards: ")
	require.ErrorContains(t, err, file+":3: invalid JSON")

	require.NoError(t, os.WriteFile(file, data, 0o644))
	sets := filepath.Join(dir, "sets.jsonl")
	require.NoError(t, os.Remove(sets))
	_, _, err = Parse(dir, Options{})
	require.ErrorContains(t, err, "yugioh: read sets")
	require.ErrorIs(t, err, os.ErrNotExist)

	_, _, err = Parse(t.TempDir(), Options{})
	require.ErrorContains(t, err, "yugioh: read cards")
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestParseBadImage(t *testing.T) {
	t.Parallel()
	imgs := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(imgs, "46130346.jpg"), []byte("not a jpeg"), 0o644))
	_, _, err := Parse("testdata", Options{ImagesDir: imgs})
	importertest.RequireInvalid(t, err, "yugioh: sets: ")
	require.ErrorContains(t, err, `sets.jsonl:4: set "Legend of Blue Eyes White Dragon": card "Hinotama": image `)
}
