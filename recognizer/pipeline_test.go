package recognizer

import (
	"context"
	"image"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// Fakes of our own stage interfaces: the pipeline's logic is tested here;
// the stages are tested against real OpenCV, Tesseract, ONNX and pgvector in
// their own packages.

type fakeDetector struct{ n int }

func (f fakeDetector) Detect(context.Context, *image.RGBA) ([]catalog.Detection, error) {
	out := make([]catalog.Detection, f.n)
	for i := range out {
		out[i].Score = 1
	}
	return out, nil
}

func (fakeDetector) Rectify(_ context.Context, img *image.RGBA, d catalog.Detection) (catalog.RectifiedCard, error) {
	return catalog.RectifiedCard{Detection: d, Image: img}, nil
}

// fakeEmbedder encodes "is the top-left pixel bright" as the vector: the
// photo is upright when bright, upside down otherwise.
type fakeEmbedder struct{}

func (fakeEmbedder) Dim() int             { return 2 }
func (fakeEmbedder) ModelVersion() string { return "fake" }
func (fakeEmbedder) Embed(_ context.Context, imgs []*image.RGBA) ([][]float32, error) {
	out := make([][]float32, len(imgs))
	for i, im := range imgs {
		if im.Pix[0] > 128 {
			out[i] = []float32{1, 0}
		} else {
			out[i] = []float32{0, 1}
		}
	}
	return out, nil
}

type fakeIndex struct{ upright, flipped []catalog.Neighbor }

func (f fakeIndex) Search(_ context.Context, _ string, v []float32, _ int, _ string) ([]catalog.Neighbor, error) {
	if v[0] == 1 {
		return f.upright, nil
	}
	return f.flipped, nil
}

type fakeOCR struct{ res catalog.OCRResult }

func (f fakeOCR) Read(context.Context, *image.RGBA, string) (catalog.OCRResult, error) {
	return f.res, nil
}

type fakeCatalog map[int64]catalog.CardInfo

func (f fakeCatalog) CardsByIDs(_ context.Context, ids []int64) (map[int64]catalog.CardInfo, error) {
	out := map[int64]catalog.CardInfo{}
	for _, id := range ids {
		out[id] = f[id]
	}
	return out, nil
}

func (f fakeCatalog) CardsByNumbers(_ context.Context, _ string, nums []string) ([]catalog.CardInfo, error) {
	var out []catalog.CardInfo
	for _, c := range f {
		for _, n := range nums {
			if c.Number == n {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

func (f fakeCatalog) CardsByNames(_ context.Context, _ string, names []string) ([]catalog.CardInfo, error) {
	var out []catalog.CardInfo
	for _, c := range f {
		for _, n := range names {
			if strings.EqualFold(c.Name, n) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// CardsLikeName stands in for the trigram index: names sharing a folded
// word with text (postgres tests the real index).
func (f fakeCatalog) CardsLikeName(_ context.Context, game, text string, _ int) ([]catalog.CardInfo, error) {
	var out []catalog.CardInfo
	for _, c := range f {
		if game != "" && c.Game != game {
			continue
		}
		for _, w := range strings.Fields(strings.ToLower(text)) {
			if len(w) > 2 && strings.Contains(strings.ToLower(c.Name), w) {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}

func (f fakeCatalog) CardsBySetNumber(_ context.Context, game, set, num string) ([]catalog.CardInfo, error) {
	var out []catalog.CardInfo
	for _, c := range f {
		if (game == "" || c.Game == game) && strings.EqualFold(c.SetCode, set) && c.Number == num {
			out = append(out, c)
		}
	}
	return out, nil
}

func exact(a, b string) float64 {
	if strings.EqualFold(a, b) {
		return 1
	}
	return 0
}

// reprints: Blue-Eyes in two sets with the same art; Dark Magician elsewhere.
var cards = fakeCatalog{
	1: {ID: 1, Name: "Blue-Eyes White Dragon", Number: "LOB-EN001", SetCode: "lob", SetName: "Legend of Blue Eyes", Game: "yugioh"},
	2: {ID: 2, Name: "Blue-Eyes White Dragon", Number: "SDK-001", SetCode: "sdk", SetName: "Starter Deck Kaiba", Game: "yugioh"},
	3: {ID: 3, Name: "Dark Magician", Number: "LOB-EN005", SetCode: "lob", SetName: "Legend of Blue Eyes", Game: "yugioh"},
}

func pipeline(idx fakeIndex, ocr catalog.OCRResult) *Pipeline {
	return &Pipeline{
		Detector: fakeDetector{n: 1}, Embedder: fakeEmbedder{}, Index: idx, OCR: fakeOCR{ocr}, Catalog: cards,
		NameSim: exact, NumberSim: func(o, n, _ string) float64 { return exact(o, n) },
	}
}

func photo(bright bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	if bright {
		img.Pix[0] = 255
	} else {
		img.Pix[len(img.Pix)-4] = 255 // bright corner ends up top-left once turned
	}
	return img
}

func TestReprintDecidedByNumber(t *testing.T) {
	t.Parallel()
	// the index only knows LOB's image; OCR reads SDK's print code
	p := pipeline(fakeIndex{upright: []catalog.Neighbor{{CardID: 1, Distance: 0.05}, {CardID: 3, Distance: 0.6}}},
		catalog.OCRResult{Name: "Blue-Eyes White Dragon", Number: "SDK-001"})
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Len(t, res.Cards, 1)
	top := res.Candidates[0]
	require.Equal(t, int64(2), top.CardID, "the printed number picks the edition")
	require.Equal(t, catalog.ConfidenceHigh, top.Confidence)
	require.Equal(t, 1.0, top.Components.CollectorNumber)
	require.InDelta(t, 0.97*0.95, top.Components.Embedding, 1e-9, "shares the art of its reprint")
	require.Equal(t, int64(1), res.Candidates[1].CardID)
	require.Equal(t, 0, *top.RotationUsed)
	require.Contains(t, res.Timings, "embed")
}

func TestReprintTieIsNotHigh(t *testing.T) {
	t.Parallel()
	// the art is Blue-Eyes, but no printed text says which printing
	p := pipeline(fakeIndex{upright: []catalog.Neighbor{{CardID: 1, Distance: 0.02}, {CardID: 2, Distance: 0.03}, {CardID: 3, Distance: 0.6}}},
		catalog.OCRResult{})
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, "Blue-Eyes White Dragon", res.Candidates[0].Name)
	require.Equal(t, "Blue-Eyes White Dragon", res.Candidates[1].Name)
	for _, c := range res.Candidates[:2] {
		require.Equal(t, catalog.ConfidenceMedium, c.Confidence, "edition undecided")
		require.InDelta(t, 0.75, c.Score, 1e-9)
	}
	require.Equal(t, int64(1), res.Candidates[0].CardID, "still ranked by the art")

	// one printing alone in the catalogue keeps its high score
	p = pipeline(fakeIndex{upright: []catalog.Neighbor{{CardID: 3, Distance: 0.02}}}, catalog.OCRResult{})
	res, err = p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, catalog.ConfidenceHigh, res.Candidates[0].Confidence)
}

func TestRotatedRetryWins(t *testing.T) {
	t.Parallel()
	p := pipeline(fakeIndex{
		upright: []catalog.Neighbor{{CardID: 1, Distance: 0.1}}, // what the turned photo looks like
		flipped: []catalog.Neighbor{{CardID: 3, Distance: 0.7}},
	}, catalog.OCRResult{})
	res, err := p.Recognize(context.Background(), photo(false), Options{})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Candidates[0].CardID)
	require.Equal(t, 180, *res.Candidates[0].RotationUsed)
}

func TestConflictWhenVisualAndTextDisagree(t *testing.T) {
	t.Parallel()
	// the art says Blue-Eyes, the text says Dark Magician
	p := pipeline(fakeIndex{upright: []catalog.Neighbor{{CardID: 1, Distance: 0.05}, {CardID: 3, Distance: 0.7}}},
		catalog.OCRResult{Name: "Dark Magician", Number: "LOB-EN005"})
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, catalog.ConfidenceConflict, res.Candidates[0].Confidence)
}

func TestUnreadTextDoesNotSinkVisualMatch(t *testing.T) {
	t.Parallel()
	p := pipeline(fakeIndex{upright: []catalog.Neighbor{{CardID: 3, Distance: 0.1}}}, catalog.OCRResult{})
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, int64(3), res.Candidates[0].CardID)
	require.InDelta(t, (0.9*0.45+0.5*0.05)/0.5, res.Candidates[0].Score, 1e-9)
}

func TestBuckets(t *testing.T) {
	t.Parallel()
	for score, want := range map[float64]string{0.91: "high", 0.76: "high", 0.75: "medium", 0.5: "medium", 0.49: "low", 0.3: "low", 0.29: "none"} {
		require.Equal(t, want, Bucket(score), "%v", score)
	}
}

func TestMultiCardPhoto(t *testing.T) {
	t.Parallel()
	p := pipeline(fakeIndex{upright: []catalog.Neighbor{{CardID: 3, Distance: 0.1}}}, catalog.OCRResult{})
	p.Detector = fakeDetector{n: 3}
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Len(t, res.Cards, 3)
	for i, c := range res.Cards {
		require.Equal(t, i, c.Index)
		require.NotEmpty(t, c.Candidates)
	}
}

// clutterDetector finds a dark card-shaped patch of the background first,
// then the card (bright top-left pixel).
type clutterDetector struct{}

func (clutterDetector) Detect(context.Context, *image.RGBA) ([]catalog.Detection, error) {
	return []catalog.Detection{{Score: 1, AreaFraction: 0.2}, {Score: 0.9, AreaFraction: 0.3}}, nil
}

func (clutterDetector) Rectify(_ context.Context, _ *image.RGBA, d catalog.Detection) (catalog.RectifiedCard, error) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	if d.AreaFraction == 0.3 {
		img.Pix[0] = 255
	}
	return catalog.RectifiedCard{Detection: d, Image: img}, nil
}

type countingOCR struct {
	fakeOCR
	n *atomic.Int32
}

func (c countingOCR) Read(ctx context.Context, img *image.RGBA, game string) (catalog.OCRResult, error) {
	c.n.Add(1)
	return c.fakeOCR.Read(ctx, img, game)
}

func TestAnswerIsTheBestMatchedCard(t *testing.T) {
	t.Parallel()
	var reads atomic.Int32
	p := pipeline(fakeIndex{
		upright: []catalog.Neighbor{{CardID: 3, Distance: 0.1}}, // the card
		flipped: []catalog.Neighbor{{CardID: 1, Distance: 0.7}}, // what the dark patch resembles
	}, catalog.OCRResult{})
	p.Detector = clutterDetector{}
	p.OCR = countingOCR{n: &reads}
	p.ReadAlways = true // the card's art is clear: it would not be read
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Len(t, res.Cards, 2, "both detections are listed")
	require.Equal(t, int64(1), res.Cards[0].Candidates[0].CardID)
	require.Equal(t, int64(3), res.Candidates[0].CardID, "the answer is the card, not the first outline")
	require.Equal(t, int32(1), reads.Load(), "the patch that looks like no card is not read")

	// reading everything: the patch is read too, the answer is the same
	reads.Store(0)
	p.MinReadSimilarity = -1
	res, err = p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, int64(3), res.Candidates[0].CardID)
	require.Equal(t, int32(2), reads.Load(), "the card once; the patch, a secondary detection, once too")

	// before read gating: the patch, which nothing supports, was read
	// under its art's game's layout and the reader's guess, both ways up
	reads.Store(0)
	p.ReadEveryWay = true
	res, err = p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, int64(3), res.Candidates[0].CardID)
	require.Equal(t, int32(5), reads.Load())
}

func TestIndexedReprintOutsideTheNeighboursIsNoTie(t *testing.T) {
	t.Parallel()
	// SDK's Blue-Eyes has its own indexed image (other art) and was not
	// among the k nearest: it cannot be closer than the k-th neighbour
	withImages := fakeCatalog{}
	for id, c := range cards {
		c.ImagePath = "img.png"
		withImages[id] = c
	}
	p := pipeline(fakeIndex{upright: []catalog.Neighbor{{CardID: 1, Distance: 0.02}, {CardID: 3, Distance: 0.6}}},
		catalog.OCRResult{})
	p.Catalog, p.K = withImages, 2
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Candidates[0].CardID)
	require.Equal(t, catalog.ConfidenceHigh, res.Candidates[0].Confidence)
	for _, c := range res.Candidates {
		if c.CardID == 2 {
			require.InDelta(t, 0.4, c.Components.Embedding, 1e-9)
		}
	}
}

// zeroVerifier finds no shared features with any reference.
type zeroVerifier struct{}

func (zeroVerifier) Match(_ context.Context, _ *image.RGBA, refs []string) ([]float64, error) {
	return make([]float64, len(refs)), nil
}

func TestVerifiedAndUnverifiedScoresCompare(t *testing.T) {
	t.Parallel()
	// four printings named alike, the first one's number read; only the
	// top three are verified (and show no features): the fourth, not
	// looked at, must not keep a score on a different scale that ties
	// the leader
	cat := fakeCatalog{
		1: {ID: 1, Name: "Charizard", Number: "4/102", Game: "pokemon", ImagePath: "a.png"},
		2: {ID: 2, Name: "Charizard", Number: "4/130", Game: "pokemon", ImagePath: "b.png"},
		3: {ID: 3, Name: "Charizard", Number: "4/25", Game: "pokemon", ImagePath: "c.png"},
		4: {ID: 4, Name: "Charizard", Number: "4", Game: "pokemon"},
	}
	p := pipeline(fakeIndex{upright: []catalog.Neighbor{{CardID: 1, Distance: 0.001}}},
		catalog.OCRResult{Name: "Charizard", Number: "4/102"})
	p.Catalog = cat
	p.Verifier = zeroVerifier{}
	p.NumberSim = func(o, n, _ string) float64 {
		switch {
		case o == n:
			return 1
		case strings.HasPrefix(n, "4"):
			return 0.6
		}
		return 0
	}
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Candidates[0].CardID)
	require.Equal(t, catalog.ConfidenceHigh, res.Candidates[0].Confidence)
	for _, c := range res.Candidates {
		require.Less(t, c.Score-1e-9, res.Candidates[0].Score)
		if c.CardID != 1 {
			require.Less(t, c.Score, res.Candidates[0].Score-reprintTie)
		}
	}
}

func TestRotatedRetrySkippedWhenConfident(t *testing.T) {
	t.Parallel()
	idx := fakeIndex{
		upright: []catalog.Neighbor{{CardID: 1, Distance: 0.05}}, // a confident match as oriented
		flipped: []catalog.Neighbor{{CardID: 3, Distance: 0.01}},
	}
	p := pipeline(idx, catalog.OCRResult{})
	res, err := p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Candidates[0].CardID, "similarity 0.95 ≥ 0.9: the upside-down view is not searched")
	require.Equal(t, 0, *res.Candidates[0].RotationUsed)

	p = pipeline(idx, catalog.OCRResult{})
	p.RotatedSearchBelow = 2 // always retry
	res, err = p.Recognize(context.Background(), photo(true), Options{})
	require.NoError(t, err)
	require.Equal(t, int64(3), res.Candidates[0].CardID)
	require.Equal(t, 180, *res.Candidates[0].RotationUsed)
}

func TestOrientationSettledByArtIsNotReadUpsideDown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		flipped       float64 // distance of the best match turned over
		everyWay      bool
		want          int32
		wantRationale string
	}{
		{"art settles it", 0.6, false, 2, "the art's game's layout and the reader's guess, upright only"},
		{"near tie", 0.31, false, 4, "both ways up: the art does not tell which"},
		{"before gating", 0.6, true, 4, "both ways up"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reads atomic.Int32
			// a weak match (0.7, below ArtSupport) whatever way up
			p := pipeline(fakeIndex{
				upright: []catalog.Neighbor{{CardID: 3, Distance: 0.3}},
				flipped: []catalog.Neighbor{{CardID: 1, Distance: tc.flipped}},
			}, catalog.OCRResult{})
			p.OCR = countingOCR{n: &reads}
			p.ReadEveryWay = tc.everyWay
			res, err := p.Recognize(context.Background(), photo(true), Options{})
			require.NoError(t, err)
			require.Equal(t, int64(3), res.Candidates[0].CardID)
			require.Equal(t, tc.want, reads.Load(), tc.wantRationale)
		})
	}
}
