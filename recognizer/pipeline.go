package recognizer

import (
	"context"
	"fmt"
	"image"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Pipeline runs a recognition over the stage interfaces. All fields but
// Verifier and Quality are required; wire them in main.
type Pipeline struct {
	Detector catalog.Detector
	Embedder catalog.Embedder
	Index    catalog.VectorIndex
	OCR      catalog.TextReader
	Verifier catalog.Verifier
	Catalog  catalog.RecognitionCatalog
	Quality  func(photo *image.RGBA, card catalog.RectifiedCard) catalog.CaptureQuality
	// NameSim and NumberSim compare OCR output with catalogue strings, 0..1.
	NameSim   func(ocr, name string) float64
	NumberSim func(ocr, number, game string) float64
	Weights   Weights
	// K is how many neighbours the ANN search returns per card.
	K int
	// MaxCandidates is how many candidates a card result lists.
	MaxCandidates int
	// MinReadSimilarity is the cosine similarity to its nearest catalogue
	// image under which a detection is not read (OCR, local features) unless
	// it is the photo's best match: a card-shaped patch of a cluttered table
	// looks like no catalogue card, and reading it costs more than the rest
	// of the pipeline. Its candidates then rest on the embedding alone.
	// 0 means 0.6; negative reads every detection.
	MinReadSimilarity float64
	// RotatedSearchBelow is the cosine similarity of a card's best match,
	// as the detector oriented it, under which the card is also embedded
	// and searched upside down (the rotated retry): a card that already
	// matches this well is upright, and the retry doubled the embedding
	// and search work of every photo. 0 means 0.9; above 1 always retries.
	RotatedSearchBelow float64
	// ReadAlways reads every card that is read at all, even when its art
	// alone decides it (see clearArt): the behaviour before OCR gating, for
	// side-by-side measurement.
	ReadAlways bool
	// ReadEveryWay reads as before read gating: a card whose game is
	// unknown under every layout and, when its text and art are weak,
	// upside down too, even where the embedding settled which way up it is
	// and on a photo's secondary detections; for side-by-side measurement.
	ReadEveryWay bool
	// Zoom, when set, re-rectifies a reprint family's card from the photo
	// at its own size before it is read (see readImage): the edition is
	// told by a collector number the canonical rectification shrinks to
	// ~15 px. nil reads the rectified image.
	Zoom Zoomer
}

// OrientSettled is how much better, in cosine similarity, a card's best
// match must be the way it was kept than turned over for the embedding to
// settle which way up it is, so OCR does not read it upside down too.
const OrientSettled = 0.05

// Options tune one recognition.
type Options struct {
	// TCGSlug restricts the search to one game ("" = all).
	TCGSlug string
	// Debug, when set, receives intermediate images and returns their URLs.
	Debug func(name string, img image.Image) string
	// Clock, when set, is what the stage timings are read from instead of
	// the wall clock (a benchmark passes the process's CPU time, which a
	// loaded machine does not inflate).
	Clock func() time.Duration
}

// Recognize finds every card in an upright decoded photo and ranks
// candidates for each. Timings are per stage, in milliseconds.
func (p *Pipeline) Recognize(ctx context.Context, photo *image.RGBA, opt Options) (catalog.ScanResult, error) {
	res := catalog.ScanResult{Timings: map[string]float64{}, Cards: []catalog.CardResult{}, Candidates: []catalog.Candidate{}}
	lap := stopwatch(res.Timings, opt.Clock)

	dets, err := p.Detector.Detect(ctx, photo)
	if err != nil {
		return res, fmt.Errorf("recognize: detect: %w", err)
	}
	if len(dets) == 0 { // a tight crop or a flat scan: the frame is the card
		b := photo.Bounds()
		w, h := float64(b.Dx()), float64(b.Dy())
		dets = []catalog.Detection{{Corners: [4]catalog.Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}}, AreaFraction: 1}}
	}
	cards := make([]catalog.RectifiedCard, 0, len(dets))
	for _, d := range dets {
		rc, err := p.Detector.Rectify(ctx, photo, d)
		if err != nil {
			return res, fmt.Errorf("recognize: rectify: %w", err)
		}
		cards = append(cards, rc)
	}
	lap("detect")

	// every card as the detector oriented it, in one batch
	batch := make([]*image.RGBA, len(cards))
	for i, c := range cards {
		batch[i] = c.Image
	}
	vecs, err := p.Embedder.Embed(ctx, batch)
	if err != nil {
		return res, fmt.Errorf("recognize: embed: %w", err)
	}
	lap("embed")

	k := p.k()
	type searched struct {
		hits    []catalog.Neighbor
		settled bool // the rotated retry decided which way up it is
	}
	found := make([]searched, len(cards))
	var retry []int // cards matched weakly: try them upside down
	turned := make([]bool, len(cards))
	for i := range cards {
		up, err := p.Index.Search(ctx, "", vecs[i], k, opt.TCGSlug)
		if err != nil {
			return res, fmt.Errorf("recognize: search: %w", err)
		}
		found[i] = searched{hits: up}
		if len(up) == 0 || 1-up[0].Distance < p.rotatedSearchBelow() {
			retry = append(retry, i)
		}
	}
	lap("search")

	// the rotated retry, in one batch
	if len(retry) > 0 {
		rot := make([]*image.RGBA, len(retry))
		for j, i := range retry {
			rot[j] = rotate180(cards[i].Image)
		}
		rvecs, err := p.Embedder.Embed(ctx, rot)
		if err != nil {
			return res, fmt.Errorf("recognize: embed: %w", err)
		}
		lap("embed")
		for j, i := range retry {
			down, err := p.Index.Search(ctx, "", rvecs[j], k, opt.TCGSlug)
			if err != nil {
				return res, fmt.Errorf("recognize: search: %w", err)
			}
			up := found[i].hits
			if len(down) > 0 && (len(up) == 0 || down[0].Distance+0.02 < up[0].Distance) {
				found[i] = searched{hits: down, settled: len(up) == 0 || down[0].Distance+OrientSettled <= up[0].Distance}
				cards[i].Image = rot[j]
				cards[i].Rotation = (cards[i].Rotation + 180) % 360
				turned[i] = true
			} else {
				found[i].settled = len(up) > 0 && (len(down) == 0 || up[0].Distance+OrientSettled <= down[0].Distance)
			}
		}
		lap("search")
	}

	sim := make([]float64, len(cards))
	bestSim := 0
	for i, f := range found {
		if len(f.hits) > 0 {
			sim[i] = 1 - f.hits[0].Distance
		}
		if sim[i] > sim[bestSim] {
			bestSim = i
		}
	}
	minRead := p.MinReadSimilarity
	if minRead == 0 {
		minRead = 0.6
	}
	// No detection's art is trusted (a card with no indexed image): the
	// largest detection is most likely the card, so it is read as well.
	largest := -1
	if sim[bestSim] < ArtSupport {
		largest = 0
		for i, c := range cards {
			if c.Detection.AreaFraction > cards[largest].Detection.AreaFraction {
				largest = i
			}
		}
	}
	for i, c := range cards {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		lead := i == bestSim || i == largest
		plan := readPlan{read: lead || sim[i] >= minRead, upright: found[i].settled, once: !lead}
		if p.ReadEveryWay {
			plan.upright, plan.once = false, false
		}
		cr, err := p.scoreCard(ctx, photo, c, turned[i], found[i].hits, plan, opt, res.Timings)
		if err != nil {
			return res, err
		}
		cr.Index = i
		res.Cards = append(res.Cards, cr)
		if opt.Debug != nil {
			if res.Debug == nil {
				res.Debug = map[string]string{}
			}
			res.Debug[fmt.Sprintf("card%d_rectified", i)] = opt.Debug(fmt.Sprintf("card%d_rectified", i), c.Image)
		}
	}
	// The photo's answer is its best-matched card, not the first detection:
	// detections are ordered by outline, and a card-shaped patch of a
	// cluttered background can outline more crisply than the card.
	if len(res.Cards) > 0 {
		lead := 0
		for i, cr := range res.Cards {
			if topScore(cr) > topScore(res.Cards[lead]) {
				lead = i
			}
		}
		res.Candidates = res.Cards[lead].Candidates
		res.CaptureQuality = res.Cards[lead].CaptureQuality
	}
	return res, nil
}

// topScore is the score of a card result's best candidate, -1 without one.
func topScore(cr catalog.CardResult) float64 {
	if len(cr.Candidates) == 0 {
		return -1
	}
	return cr.Candidates[0].Score
}

// rotatedSearchBelow is RotatedSearchBelow with its default.
func (p *Pipeline) rotatedSearchBelow() float64 {
	if p.RotatedSearchBelow == 0 {
		return 0.9
	}
	return p.RotatedSearchBelow
}

// k is how many neighbours a search returns.
func (p *Pipeline) k() int {
	if p.K <= 0 {
		return 10
	}
	return p.K
}

func (p *Pipeline) weights() Weights {
	if p.Weights == (Weights{}) {
		return DefaultWeights
	}
	return p.Weights
}

// rotate180 returns img turned upside down.
func rotate180(img *image.RGBA) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(b)
	w, h := b.Dx(), b.Dy()
	for y := 0; y < h; y++ {
		src := img.Pix[y*img.Stride : y*img.Stride+4*w]
		dst := out.Pix[(h-1-y)*out.Stride:]
		for x := 0; x < w; x++ {
			copy(dst[4*(w-1-x):4*(w-1-x)+4], src[4*x:4*x+4])
		}
	}
	return out
}

// stopwatch returns a lap function that adds the time since the previous lap
// to timings[name] (milliseconds), read from clock (nil: the wall clock).
func stopwatch(timings map[string]float64, clock func() time.Duration) func(name string) {
	if clock == nil {
		start := time.Now()
		clock = func() time.Duration { return time.Since(start) }
	}
	last := clock()
	return func(name string) {
		now := clock()
		timings[name] += float64((now - last).Microseconds()) / 1000
		last = now
	}
}
