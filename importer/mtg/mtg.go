// Package mtg imports Magic: The Gathering sets from MTGJSON v5 per-set files
// ({"meta": …, "data": {"code": …, "cards": […], "sealedProduct": […]}}),
// gzip-compressed (.json.gz) or plain (.json).
//
// A set's Code is MTGJSON's set code; a card is keyed by its collector number
// and full name, so the faces of a double-faced, split or adventure card
// (MTGJSON lists one entry per face, sharing number and name) become one card
// that carries the identifiers of every face. Variants come from the card's
// finishes (nonfoil → normal, foil, etched). Online-only cards (Alchemy
// rebalances, MTGO-only entries) are left out: they have no physical copy.
package mtg

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Game is the catalogue entry of Magic: The Gathering.
var Game = catalog.GameInfo{Slug: catalog.GameMTG, Name: "Magic: The Gathering"}

// Parse reads the MTGJSON per-set file at path, or every *.json.gz and
// *.json file directly inside the directory path (in name order), and
// returns the game and its sets. Two files of one set code are an error.
func Parse(path string) (catalog.GameInfo, []catalog.ImportSet, error) {
	files, err := setFiles(path)
	if err != nil {
		return Game, nil, err
	}
	sets := make([]catalog.ImportSet, len(files))
	errs := make([]error, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for i := range jobs {
				sets[i], errs[i] = parseFile(files[i])
			}
		})
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	byCode := map[string]string{}
	for i, err := range errs {
		if err != nil {
			return Game, nil, err
		}
		if prev, dup := byCode[sets[i].Code]; dup {
			return Game, nil, fmt.Errorf("mtg: set %s: %w", sets[i].Code,
				importer.Errorf(files[i], 0, "set code %q already read from %s", sets[i].Code, prev))
		}
		byCode[sets[i].Code] = files[i]
	}
	return Game, sets, nil
}

// setFiles returns path itself when it is a file, else the set files in the
// directory path.
func setFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("mtg: stat: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("mtg: list sets: %w", err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		if strings.HasSuffix(name, ".json.gz") || strings.HasSuffix(name, ".json") {
			files = append(files, filepath.Join(path, name))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("mtg: list sets: no *.json.gz or *.json files in %s", path)
	}
	slices.Sort(files)
	return files, nil
}

// parseFile opens and parses one set file.
func parseFile(file string) (catalog.ImportSet, error) {
	f, err := os.Open(file)
	if err != nil {
		return catalog.ImportSet{}, fmt.Errorf("mtg: open set: %w", err)
	}
	defer f.Close()
	s, err := ParseSetFile(file, f)
	if err != nil {
		return s, fmt.Errorf("mtg: set file %s: %w", filepath.Base(file), err)
	}
	return s, nil
}
