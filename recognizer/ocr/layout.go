package ocr

import (
	"github.com/collectorstash/csm/catalog"
	"github.com/otiai10/gosseract/v2"
)

// Region is a rectangle on the card as fractions of its width (X) and
// height (Y), so it holds for any card size.
type Region struct {
	X0, Y0, X1, Y1 float64
}

// Field names the pieces of text a Layout can read.
type Field string

// Fields of a card.
const (
	FieldName    Field = "name"
	FieldNumber  Field = "number"
	FieldSetCode Field = "set_code"
)

// Character sets for Tesseract's whitelist.
const (
	// NameChars are the characters card names are printed with.
	NameChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -',.:!?&éèêëáàâäíïóôöúüñç"
	// NumberChars are the characters of collector numbers and print codes.
	NumberChars = "0123456789/-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	// NumberSpaceChars adds the space, for numbers printed in several parts
	// ("1/204 EN 1").
	NumberSpaceChars = NumberChars + " "
)

// Spec says where one field is printed and how to read it.
type Spec struct {
	// Regions are the places the field may be printed, tried in order
	// (e.g. a Pokémon number bottom-right on old cards, bottom-left on new
	// ones). Reading stops at the first region whose text the normaliser
	// accepts with enough confidence.
	Regions []Region
	// Whitelist limits the characters Tesseract returns ("" = any).
	Whitelist string
	// PSM is Tesseract's page-segmentation mode; 0 means single line.
	PSM gosseract.PageSegMode
	// Scale is how much the crop is enlarged before OCR; 0 picks one from
	// the height of the text line found in the region.
	Scale float64
	// LineHeight, when > 0, is the expected height of the text as a
	// fraction of the card height: the crop is then narrowed to the text
	// line found in the region (for small print in a generous region).
	LineHeight float64
	// Fallback regions are read as they are (not narrowed, scale from
	// their height) when no region gave a good enough reading: a finger or
	// glare across the band can win the search for the text line.
	Fallback []Region
}

// Layout is where one game prints the text the recogniser reads.
type Layout struct {
	// Game is the catalogue slug (catalog.GameYugioh, …).
	Game string
	// Name is the card's title.
	Name Spec
	// Number is the collector number or print code.
	Number Spec
	// SetCode, when it has regions, is read on its own; otherwise the set
	// code comes out of the number (LOB-EN001 → LOB).
	SetCode Spec
	// Normalize turns raw number text into (number, set code); ok is false
	// when the text does not look like this game's numbers.
	Normalize func(raw string) (number, setCode string, ok bool)
	// NormalizeSet cleans a separately read set code; ok as above.
	NormalizeSet func(raw string) (string, bool)
}

// Layouts are the built-in layouts by game slug. Only the Yu-Gi-Oh! regions
// are measured on real card images; the others follow the printed frames of
// current sets and are starting points to tune on real scans.
var Layouts = map[string]Layout{
	catalog.GameYugioh: {
		Game: catalog.GameYugioh,
		// Name bar: left of the attribute disc.
		Name: Spec{Regions: []Region{{0.05, 0.035, 0.83, 0.105}}, Whitelist: NameChars},
		// Print code below the artwork on the right; Pendulum cards print it
		// bottom-left under the Pendulum box.
		Number: Spec{Regions: []Region{
			{0.52, 0.705, 0.94, 0.750},
			{0.04, 0.900, 0.45, 0.950},
		}, Whitelist: NumberChars, LineHeight: 0.016},
		Normalize: normalizeYugioh,
	},
	catalog.GamePokemon: {
		Game: catalog.GamePokemon,
		// Name top-left, left of the HP.
		Name: Spec{Regions: []Region{{0.06, 0.030, 0.62, 0.095}}, Whitelist: NameChars},
		// "4/102" bottom-right on older cards, "SVI EN 123/198" bottom-left on
		// newer ones.
		Number: Spec{Regions: []Region{
			{0.66, 0.925, 0.97, 0.975},
			{0.03, 0.925, 0.45, 0.975},
		}, Whitelist: NumberSpaceChars},
		Normalize: normalizePokemon,
	},
	catalog.GameMTG: {
		Game: catalog.GameMTG,
		// Name top-left, up to where a three-symbol mana cost starts. The
		// band is generous (a card rectified a little off, or outlined at
		// the inner edge of its frame, prints the name higher and further
		// left) and narrowed to the name's text line, read enlarged 2.5×
		// (about 30 px x-height on the canonical 600 px card).
		Name: Spec{Regions: []Region{{0.01, 0.005, 0.84, 0.110}}, Whitelist: NameChars, LineHeight: 0.042, Scale: 2.5,
			Fallback: []Region{{0.05, 0.030, 0.80, 0.100}}},
		// Modern frame, bottom-left: "0157 C" above "DMU • EN".
		Number:       Spec{Regions: []Region{{0.04, 0.930, 0.32, 0.955}}, Whitelist: NumberSpaceChars},
		SetCode:      Spec{Regions: []Region{{0.04, 0.953, 0.24, 0.978}}, Whitelist: NumberSpaceChars},
		Normalize:    normalizeMTG,
		NormalizeSet: normalizeMTGSet,
	},
	catalog.GameFAB: {
		Game: catalog.GameFAB,
		// Name centred at the top, between pitch and cost.
		Name: Spec{Regions: []Region{{0.14, 0.035, 0.86, 0.090}}, Whitelist: NameChars},
		// Card id ("WTR001") bottom-left.
		Number:    Spec{Regions: []Region{{0.03, 0.945, 0.45, 0.980}}, Whitelist: NumberSpaceChars},
		Normalize: normalizeFAB,
	},
	catalog.GameLorcana: {
		Game: catalog.GameLorcana,
		// Name banner below the artwork, left-aligned.
		Name: Spec{Regions: []Region{{0.06, 0.555, 0.80, 0.605}}, Whitelist: NameChars},
		// "1/204 • EN • 1" bottom-left.
		Number:    Spec{Regions: []Region{{0.03, 0.950, 0.45, 0.985}}, Whitelist: NumberSpaceChars},
		Normalize: normalizeLorcana,
	},
	catalog.GameOnePiece: {
		Game: catalog.GameOnePiece,
		// Name centred in the lower band.
		Name: Spec{Regions: []Region{{0.12, 0.840, 0.88, 0.890}}, Whitelist: NameChars},
		// "OP01-001 | SR" right, above the name band or at the bottom.
		Number: Spec{Regions: []Region{
			{0.50, 0.800, 0.97, 0.845},
			{0.50, 0.935, 0.97, 0.980},
		}, Whitelist: NumberSpaceChars},
		Normalize: normalizeOnePiece,
	},
}

// gameOrder is the order layouts are tried in when the game is unknown.
var gameOrder = []string{
	catalog.GameYugioh, catalog.GamePokemon, catalog.GameMTG,
	catalog.GameOnePiece, catalog.GameLorcana, catalog.GameFAB,
}
