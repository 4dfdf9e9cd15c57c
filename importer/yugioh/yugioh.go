// Package yugioh imports the Yu-Gi-Oh! catalogue from YDM-Data JSON Lines
// files: cards.jsonl (one card per line: name, passcode in "number", type, …)
// and sets.jsonl (one set per line listing its printings by card name, print
// code "set_number" such as LOB-EN001, and rarities).
//
// Every (set, set_number, card name) becomes one catalogue card whose
// collector number is the print code; its rarities become variants of one
// printing whose language comes from the print code's region (EN → en, DE →
// de, none → en). Set codes are slugs of the set names, because YDM-Data's
// "prefix" is shared by up to 13 sets (see SetCode).
package yugioh

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/collectorstash/csm/catalog"
)

// Game is the catalogue entry of Yu-Gi-Oh!.
var Game = catalog.GameInfo{Slug: catalog.GameYugioh, Name: "Yu-Gi-Oh!"}

// Options tune Parse.
type Options struct {
	// ImagesDir, when set, is searched for <passcode>.jpg files; a card gets
	// an ImportImage only if its file exists there.
	ImagesDir string
}

// Parse reads cards.jsonl and sets.jsonl in dir and returns the game and its
// sets with cards, in sets.jsonl order.
func Parse(dir string, opt Options) (catalog.GameInfo, []catalog.ImportSet, error) {
	cardsFile := filepath.Join(dir, "cards.jsonl")
	f, err := os.Open(cardsFile)
	if err != nil {
		return Game, nil, fmt.Errorf("yugioh: read cards: %w", err)
	}
	cards, err := ParseCards(cardsFile, f)
	f.Close()
	if err != nil {
		return Game, nil, fmt.Errorf("yugioh: cards: %w", err)
	}
	setsFile := filepath.Join(dir, "sets.jsonl")
	f, err = os.Open(setsFile)
	if err != nil {
		return Game, nil, fmt.Errorf("yugioh: read sets: %w", err)
	}
	defer f.Close()
	sets, err := ParseSets(setsFile, f, cards, opt)
	if err != nil {
		return Game, nil, fmt.Errorf("yugioh: sets: %w", err)
	}
	return Game, sets, nil
}
