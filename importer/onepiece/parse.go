package onepiece

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Game is the catalogue entry of the One Piece Card Game.
var Game = catalog.GameInfo{Slug: catalog.GameOnePiece, Name: "One Piece Card Game"}

// File is one set file in memory.
type File struct {
	Name string // base name, e.g. "op01.json"; it gives the set code
	Data []byte
}

// Parse reads the set files of dir and returns the game and its sets. dir is
// the tracker's data folder (holding cards/) or the cards folder itself.
func Parse(dir string) (catalog.GameInfo, []catalog.ImportSet, error) {
	if st, err := os.Stat(filepath.Join(dir, "cards")); err == nil && st.IsDir() {
		dir = filepath.Join(dir, "cards")
	}
	files, err := importer.ReadSetFiles[File](dir, func(name string) bool { return filepath.Ext(name) == ".json" })
	if err != nil {
		return catalog.GameInfo{}, nil, fmt.Errorf("onepiece: %w", err)
	}
	return ParseFiles(files)
}

// ParseFiles parses set files already in memory; see ParseSet. Sets come
// sorted by code; two files for one code are an error.
func ParseFiles(files []File) (catalog.GameInfo, []catalog.ImportSet, error) {
	sets := make([]catalog.ImportSet, 0, len(files))
	from := map[string]string{}
	for _, f := range files {
		s, err := ParseSet(f.Name, f.Data)
		if err != nil {
			return catalog.GameInfo{}, nil, err
		}
		if prev, dup := from[s.Code]; dup {
			return catalog.GameInfo{}, nil, fmt.Errorf("onepiece: parse set file: %w",
				importer.Errorf(f.Name, 0, "set %s already read from %s", s.Code, prev))
		}
		from[s.Code] = f.Name
		sets = append(sets, s)
	}
	slices.SortFunc(sets, func(a, b catalog.ImportSet) int { return cmp.Compare(a.Code, b.Code) })
	return Game, sets, nil
}
