// Package pokemon imports the Pokémon TCG catalogue from the pokemontcg.io
// data-repository layout: sets/en.json (an array of sets) and
// cards/en/<set id>.json (an array of the cards of one set).
//
// A set's Code is its pokemontcg.io id ("base1", "sv3pt5"); a card's
// collector number is the "number" field; printings and variants come from the
// card's tcgplayer.prices keys when present ("1stEditionHolofoil" → print run
// 1st_edition, finish holofoil), else one unlimited printing with a normal (or,
// for "Holo" rarities, holofoil) variant.
package pokemon

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/collectorstash/csm/catalog"
)

// Game is the catalogue entry of the Pokémon TCG.
var Game = catalog.GameInfo{Slug: catalog.GamePokemon, Name: "Pokémon"}

// Language is the only data-repo language read (sets/en.json, cards/en/).
const Language = "en"

// Options tune Parse.
type Options struct {
	// ImagesDir, when set, is searched for <card id>.png files (e.g.
	// base1-4.png); a card gets an ImportImage only if its file exists there.
	ImagesDir string
}

// Parse reads the data repository rooted at dir (the folder holding sets/ and
// cards/) and returns the game and its sets with cards, in sets/en.json order.
func Parse(dir string, opt Options) (catalog.GameInfo, []catalog.ImportSet, error) {
	setsFile := filepath.Join(dir, "sets", Language+".json")
	data, err := os.ReadFile(setsFile)
	if err != nil {
		return Game, nil, fmt.Errorf("pokemon: read sets: %w", err)
	}
	sets, err := ParseSets(setsFile, data)
	if err != nil {
		return Game, nil, fmt.Errorf("pokemon: sets: %w", err)
	}
	out := make([]catalog.ImportSet, len(sets))
	errs := make([]error, len(sets))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(sets)) {
		wg.Go(func() {
			for i := range jobs {
				out[i], errs[i] = parseSetCards(dir, sets[i].ImportSet, opt)
			}
		})
	}
	for i := range sets {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Game, nil, err
		}
	}
	return Game, out, nil
}

// parseSetCards reads cards/en/<set code>.json and returns s with its cards.
func parseSetCards(dir string, s catalog.ImportSet, opt Options) (catalog.ImportSet, error) {
	file := filepath.Join(dir, "cards", Language, s.Code+".json")
	data, err := os.ReadFile(file)
	if err != nil {
		return s, fmt.Errorf("pokemon: read cards of set %s: %w", s.Code, err)
	}
	cards, err := ParseCards(file, data, s, opt)
	if err != nil {
		return s, fmt.Errorf("pokemon: cards of set %s: %w", s.Code, err)
	}
	s.Cards = cards
	return s, nil
}
