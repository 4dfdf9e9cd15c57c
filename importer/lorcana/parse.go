package lorcana

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Game is the catalogue entry of Disney Lorcana.
var Game = catalog.GameInfo{Slug: catalog.GameLorcana, Name: "Disney Lorcana"}

// referenceFiles are the YAML files of the data folder that are not sets.
var referenceFiles = map[string]bool{
	"abilities.yml":       true,
	"classifications.yml": true,
	"configuration.yml":   true,
	"franchises.yml":      true,
	"placeholders.yml":    true,
}

// IsSetFile reports whether a file name of the data folder is a set file:
// a .yml file other than the reference files.
func IsSetFile(name string) bool {
	return filepath.Ext(name) == ".yml" && !referenceFiles[filepath.Base(name)]
}

// File is one set file in memory.
type File struct {
	Name string // base name, e.g. "tfc.yml"; errors cite it
	Data []byte
}

// Parse reads the set files of dir (the data folder) and returns the game and
// its sets; see ParseFiles.
func Parse(dir string) (catalog.GameInfo, []catalog.ImportSet, error) {
	files, err := importer.ReadSetFiles[File](dir, IsSetFile)
	if err != nil {
		return catalog.GameInfo{}, nil, fmt.Errorf("lorcana: %w", err)
	}
	return ParseFiles(files)
}

// ParseFiles parses set files already in memory, in name order whatever the
// order given; reference files among them are skipped. Variants are gathered
// across files into the sets they are printed in: main sets first by number,
// then promo sets by code, cards by number then name. Every malformed file is
// a catalog.EINVALID error naming file and line.
func ParseFiles(files []File) (catalog.GameInfo, []catalog.ImportSet, error) {
	files = slices.Clone(files)
	slices.SortStableFunc(files, func(a, b File) int { return cmp.Compare(a.Name, b.Name) })
	stats := map[string]*setStats{}
	var all []entry
	for _, f := range files {
		if referenceFiles[filepath.Base(f.Name)] {
			continue
		}
		cards, err := decodeSetFile(f.Name, f.Data)
		if err != nil {
			return catalog.GameInfo{}, nil, fmt.Errorf("lorcana: parse set file: %w", err)
		}
		es, err := entries(f.Name, cards, stats)
		if err != nil {
			return catalog.GameInfo{}, nil, fmt.Errorf("lorcana: parse set file: %w", err)
		}
		all = append(all, es...)
	}
	return Game, build(all, stats), nil
}
