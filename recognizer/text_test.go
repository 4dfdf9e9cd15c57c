package recognizer

import (
	"context"
	"image"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/match"
)

// gameOCR reads differently under each game's layout, as a real reader
// does: only the card's own layout finds its text.
type gameOCR struct {
	by    map[string]catalog.OCRResult
	reads *atomic.Int32
}

func (g gameOCR) Read(_ context.Context, _ *image.RGBA, game string) (catalog.OCRResult, error) {
	if g.reads != nil {
		g.reads.Add(1)
	}
	return g.by[game], nil
}

// mixed holds Yu-Gi-Oh! cards with images and MTG cards without (as
// `csm import mtg` leaves them).
var mixed = fakeCatalog{
	1:  {ID: 1, Name: "Blue-Eyes White Dragon", Number: "LOB-EN001", SetCode: "LOB", Game: catalog.GameYugioh, ImagePath: "a.png"},
	3:  {ID: 3, Name: "Dark Magician", Number: "LOB-EN005", SetCode: "LOB", Game: catalog.GameYugioh, ImagePath: "b.png"},
	10: {ID: 10, Name: "Llanowar Elves", Number: "168", SetCode: "DOM", Game: catalog.GameMTG},
	11: {ID: 11, Name: "Llanowar Elves", Number: "134", SetCode: "M19", Game: catalog.GameMTG},
	12: {ID: 12, Name: "Giant Growth", Number: "183", SetCode: "M10", Game: catalog.GameMTG},
	13: {ID: 13, Name: "Giant Grow", Number: "50", SetCode: "XYZ", Game: catalog.GameMTG},
}

func mixedPipeline(hits []catalog.Neighbor, by map[string]catalog.OCRResult) *Pipeline {
	return &Pipeline{
		Detector: fakeDetector{n: 1}, Embedder: fakeEmbedder{}, Index: fakeIndex{upright: hits},
		OCR: gameOCR{by: by}, Catalog: mixed, NameSim: match.NameSimilarity, NumberSim: match.NumberSimilarity,
	}
}

// an MTG photo looks a little like some Yu-Gi-Oh! card: no MTG image is indexed
var unrelatedArt = []catalog.Neighbor{{CardID: 3, Distance: 0.35}, {CardID: 1, Distance: 0.40}}

func TestCardWithoutImageFoundByPrintedName(t *testing.T) {
	t.Parallel()
	p := mixedPipeline(unrelatedArt, map[string]catalog.OCRResult{catalog.GameMTG: {Name: "Llanowar Elves"}})
	res, err := p.Recognize(context.Background(), photo(true), Options{TCGSlug: catalog.GameMTG})
	require.NoError(t, err)
	top := res.Candidates[0]
	require.Equal(t, "Llanowar Elves", top.Name)
	require.Equal(t, catalog.ConfidenceMedium, top.Confidence, "the name alone: medium, not high")

	// name, set code and number read: the printing, high
	p = mixedPipeline(unrelatedArt, map[string]catalog.OCRResult{catalog.GameMTG: {Name: "Llanowar Elves", Number: "134", SetCode: "M19"}})
	res, err = p.Recognize(context.Background(), photo(true), Options{TCGSlug: catalog.GameMTG})
	require.NoError(t, err)
	require.Equal(t, int64(11), res.Candidates[0].CardID)
	require.Equal(t, catalog.ConfidenceHigh, res.Candidates[0].Confidence)
	require.Equal(t, int64(10), res.Candidates[1].CardID, "the other printing follows")
	require.Less(t, res.Candidates[1].Score, res.Candidates[0].Score-reprintTie)
}

func TestExactSetAndNumberBeatSimilarName(t *testing.T) {
	t.Parallel()
	// the name is read one word short, which is another card's whole name;
	// the set code and number are Giant Growth's
	p := mixedPipeline(unrelatedArt, map[string]catalog.OCRResult{catalog.GameMTG: {Name: "Giant Grow", Number: "183", SetCode: "M10"}})
	res, err := p.Recognize(context.Background(), photo(true), Options{TCGSlug: catalog.GameMTG})
	require.NoError(t, err)
	require.Equal(t, int64(12), res.Candidates[0].CardID)
	require.Equal(t, catalog.ConfidenceHigh, res.Candidates[0].Confidence)
	for _, c := range res.Candidates[1:] {
		require.NotEqual(t, catalog.ConfidenceHigh, c.Confidence, c.Name)
	}
}

func TestNonsenseIsLowOrNone(t *testing.T) {
	t.Parallel()
	// a random texture: its nearest image is far, and no text is read (or
	// only specks)
	for _, ocr := range []catalog.OCRResult{{}, {Name: "Xq"}, {Number: "7"}} {
		by := map[string]catalog.OCRResult{catalog.GameYugioh: ocr, catalog.GameMTG: ocr}
		for _, game := range []string{"", catalog.GameYugioh} {
			p := mixedPipeline(unrelatedArt, by)
			res, err := p.Recognize(context.Background(), photo(true), Options{TCGSlug: game})
			require.NoError(t, err)
			for _, c := range res.Candidates {
				require.Contains(t, []string{catalog.ConfidenceLow, catalog.ConfidenceNone}, c.Confidence, "%+v game %q: %s", ocr, game, c.Name)
			}
		}
	}
}

func TestUnknownGameIsInferredFromText(t *testing.T) {
	t.Parallel()
	// no tcg_slug: the art's favourite is a Yu-Gi-Oh! card, but only the
	// MTG layout (which the reader guesses, "") reads a name the catalogue
	// knows
	var reads atomic.Int32
	p := mixedPipeline(unrelatedArt, map[string]catalog.OCRResult{
		catalog.GameYugioh: {Name: "Lla ow"},
		"":                 {Name: "Llanowar Elves"},
	})
	p.OCR = gameOCR{by: p.OCR.(gameOCR).by, reads: &reads}
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, "Llanowar Elves", res.Candidates[0].Name)
	require.Equal(t, catalog.GameMTG, res.Candidates[0].TCGSlug)
	require.Equal(t, "Llanowar Elves", res.Cards[0].OCR.Name, "the MTG layout's reading is kept")
	for _, c := range res.Candidates {
		if c.TCGSlug == catalog.GameYugioh {
			require.Contains(t, []string{catalog.ConfidenceLow, catalog.ConfidenceNone}, c.Confidence, c.Name)
		}
	}
	require.Equal(t, int32(2), reads.Load(), "the art's game first, then the reader's guess")
}

func TestOCROnlyWhereItDecides(t *testing.T) {
	t.Parallel()
	var reads atomic.Int32
	by := map[string]catalog.OCRResult{catalog.GameYugioh: {Name: "Dark Magician", Number: "LOB-EN005"}}
	// a clear match of a card with one printing: not read, still high
	p := mixedPipeline([]catalog.Neighbor{{CardID: 3, Distance: 0.04}, {CardID: 1, Distance: 0.5}}, by)
	p.OCR = gameOCR{by: by, reads: &reads}
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, int64(3), res.Candidates[0].CardID)
	require.Equal(t, catalog.ConfidenceHigh, res.Candidates[0].Confidence)
	require.Zero(t, reads.Load())

	// the same card read when the art is unsure, or when asked to read all
	for _, tc := range []struct {
		hits   []catalog.Neighbor
		always bool
	}{
		{[]catalog.Neighbor{{CardID: 3, Distance: 0.15}, {CardID: 1, Distance: 0.5}}, false},
		{[]catalog.Neighbor{{CardID: 3, Distance: 0.04}, {CardID: 1, Distance: 0.08}}, false},
		{[]catalog.Neighbor{{CardID: 3, Distance: 0.04}, {CardID: 1, Distance: 0.5}}, true},
	} {
		reads.Store(0)
		p := mixedPipeline(tc.hits, by)
		p.OCR, p.ReadAlways = gameOCR{by: by, reads: &reads}, tc.always
		res, err := p.Recognize(context.Background(), photo(true), Options{})
		require.NoError(t, err)
		require.Equal(t, int64(3), res.Candidates[0].CardID)
		require.Equal(t, int32(1), reads.Load())
	}
}
