package fab

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/collectorstash/csm/catalog"
)

// File names of the-fab-cube export that Parse reads.
const (
	CardFile         = "card.csv"
	PrintingFile     = "card-printing.csv"
	SetFile          = "set.csv"
	SetPrintingFile  = "set-printing.csv"
	EditionFile      = "edition.csv"
	FoilingFile      = "foiling.csv"
	RarityFile       = "rarity.csv"
	ArtVariationFile = "art-variation.csv"
)

// Game is the catalogue entry of Flesh and Blood.
var Game = catalog.GameInfo{Slug: catalog.GameFAB, Name: "Flesh and Blood"}

// Files holds the contents of the CSVs of one export, one field per file.
type Files struct {
	Cards         []byte // card.csv
	Printings     []byte // card-printing.csv
	Sets          []byte // set.csv
	SetPrintings  []byte // set-printing.csv
	Editions      []byte // edition.csv
	Foilings      []byte // foiling.csv
	Rarities      []byte // rarity.csv
	ArtVariations []byte // art-variation.csv
}

// Parse reads the export in dir (the folder holding card.csv, e.g.
// fab/csvs/english) and returns the game and its sets; see ParseFiles.
func Parse(dir string) (catalog.GameInfo, []catalog.ImportSet, error) {
	var f Files
	for _, x := range []struct {
		name string
		dst  *[]byte
	}{
		{CardFile, &f.Cards},
		{PrintingFile, &f.Printings},
		{SetFile, &f.Sets},
		{SetPrintingFile, &f.SetPrintings},
		{EditionFile, &f.Editions},
		{FoilingFile, &f.Foilings},
		{RarityFile, &f.Rarities},
		{ArtVariationFile, &f.ArtVariations},
	} {
		data, err := os.ReadFile(filepath.Join(dir, x.name))
		if err != nil {
			return catalog.GameInfo{}, nil, fmt.Errorf("fab: read %s: %w", x.name, err)
		}
		*x.dst = data
	}
	return ParseFiles(f)
}

// ParseFiles parses an export already in memory. Sets come in set.csv order
// and only when they have card printings (so the empty "History Pack 1 – Black
// Label" row that shares code 1HP adds nothing); cards are sorted by number,
// then name. Every malformed row or dangling reference is a catalog.EINVALID
// error naming file and line.
func ParseFiles(f Files) (catalog.GameInfo, []catalog.ImportSet, error) {
	var (
		c   codes
		err error
	)
	if c.editions, err = readCodes(EditionFile, f.Editions, "Name", printRuns, true); err != nil {
		return catalog.GameInfo{}, nil, fmt.Errorf("fab: parse editions: %w", err)
	}
	if c.foilings, err = readCodes(FoilingFile, f.Foilings, "Name", finishes, true); err != nil {
		return catalog.GameInfo{}, nil, fmt.Errorf("fab: parse foilings: %w", err)
	}
	if c.rarities, err = readCodes(RarityFile, f.Rarities, "Text", nil, false); err != nil {
		return catalog.GameInfo{}, nil, fmt.Errorf("fab: parse rarities: %w", err)
	}
	if c.arts, err = readCodes(ArtVariationFile, f.ArtVariations, "Name", nil, true); err != nil {
		return catalog.GameInfo{}, nil, fmt.Errorf("fab: parse art variations: %w", err)
	}
	sets, err := readSets(f.Sets, f.SetPrintings)
	if err != nil {
		return catalog.GameInfo{}, nil, fmt.Errorf("fab: parse sets: %w", err)
	}
	cards, err := readCards(f.Cards)
	if err != nil {
		return catalog.GameInfo{}, nil, fmt.Errorf("fab: parse cards: %w", err)
	}
	t, err := readTable(PrintingFile, f.Printings, colCardUID, colCardID, colSetPrintID, colSetID,
		colEdition, colRarity, colFoiling, colArt, colImageURL, colTCGplayer)
	if err != nil {
		return catalog.GameInfo{}, nil, fmt.Errorf("fab: parse printings: %w", err)
	}
	b := &builder{cards: cards, sets: sets, codes: c, byCode: map[string]*setBuild{}, tcg: map[string][]tcgRef{}}
	for _, rec := range t.rows {
		if err := b.add(t, rec); err != nil {
			return catalog.GameInfo{}, nil, fmt.Errorf("fab: parse printings: %w", err)
		}
	}
	return Game, b.result(), nil
}
