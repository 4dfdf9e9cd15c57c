package recognizer

import (
	"context"
	"fmt"
	"image"
	"strings"
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
}

// Options tune one recognition.
type Options struct {
	// TCGSlug restricts the search to one game ("" = all).
	TCGSlug string
	// Debug, when set, receives intermediate images and returns their URLs.
	Debug func(name string, img image.Image) string
}

// Recognize finds every card in an upright decoded photo and ranks
// candidates for each. Timings are per stage, in milliseconds.
func (p *Pipeline) Recognize(ctx context.Context, photo *image.RGBA, opt Options) (catalog.ScanResult, error) {
	res := catalog.ScanResult{Timings: map[string]float64{}, Cards: []catalog.CardResult{}, Candidates: []catalog.Candidate{}}
	lap := stopwatch(res.Timings)

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
	type searched struct{ hits []catalog.Neighbor }
	found := make([]searched, len(cards))
	var retry []int // cards matched weakly: try them upside down
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
				found[i] = searched{hits: down}
				cards[i].Image = rot[j]
				cards[i].Rotation = (cards[i].Rotation + 180) % 360
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
	for i, c := range cards {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		read := i == bestSim || sim[i] >= minRead
		cr, err := p.scoreCard(ctx, photo, c, found[i].hits, read, opt, res.Timings)
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

// scoreCard reads the card's text (unless read is false) and ranks its
// candidates.
func (p *Pipeline) scoreCard(ctx context.Context, photo *image.RGBA, c catalog.RectifiedCard, hits []catalog.Neighbor,
	read bool, opt Options, timings map[string]float64) (catalog.CardResult, error) {
	lap := stopwatch(timings)
	cr := catalog.CardResult{Detection: c.Detection, Candidates: []catalog.Candidate{}}
	if p.Quality != nil {
		cr.CaptureQuality = p.Quality(photo, c)
	}
	lap("quality")

	best := map[int64]float64{} // card → embedding similarity
	var ids []int64
	farthest := 1.0 // the k-th neighbour's similarity
	for _, h := range hits {
		if _, ok := best[h.CardID]; !ok {
			ids = append(ids, h.CardID)
		}
		best[h.CardID] = max(best[h.CardID], clamp01(1-h.Distance))
		farthest = min(farthest, clamp01(1-h.Distance))
	}
	infos, err := p.Catalog.CardsByIDs(ctx, ids)
	if err != nil {
		return cr, fmt.Errorf("recognize: candidates: %w", err)
	}
	game := opt.TCGSlug
	if game == "" && len(ids) > 0 {
		game = infos[ids[0]].Game
	}
	lap("search")

	var ocr catalog.OCRResult
	if read {
		var err error
		if ocr, err = p.OCR.Read(ctx, c.Image, game); err != nil {
			return cr, fmt.Errorf("recognize: ocr: %w", err)
		}
		cr.OCR = ocr
		lap("ocr")
	}

	// reprints share art: widen the pool to cards named like the visual
	// favourites and cards carrying the number OCR read
	nameSim := map[string]float64{}
	var names []string
	for _, id := range ids[:min(3, len(ids))] {
		n := strings.ToLower(infos[id].Name)
		if _, ok := nameSim[n]; !ok {
			names = append(names, infos[id].Name)
		}
		nameSim[n] = max(nameSim[n], best[id])
	}
	pool := map[int64]catalog.CardInfo{}
	for id, in := range infos {
		pool[id] = in
	}
	if len(names) > 0 {
		more, err := p.Catalog.CardsByNames(ctx, game, names)
		if err != nil {
			return cr, fmt.Errorf("recognize: reprints: %w", err)
		}
		for _, in := range more {
			pool[in.ID] = in
		}
	}
	if ocr.Number != "" {
		more, err := p.Catalog.CardsByNumbers(ctx, game, numberForms(ocr.Number))
		if err != nil {
			return cr, fmt.Errorf("recognize: by number: %w", err)
		}
		for _, in := range more {
			pool[in.ID] = in
		}
	}

	cands := make([]catalog.Candidate, 0, len(pool))
	paths := map[int64]string{}
	for id, in := range pool {
		emb, ok := best[id]
		if !ok { // not among the neighbours: same art as a same-named one?
			emb = 0.97 * nameSim[strings.ToLower(in.Name)]
			if in.ImagePath != "" && len(hits) >= p.k() {
				// its own image is indexed and was not among the k
				// nearest: it looks no closer than the k-th neighbour
				emb = min(emb, farthest)
			}
		}
		comp := catalog.Components{Embedding: emb, SetContext: 0.5}
		if ocr.Name != "" && p.NameSim != nil {
			comp.Name = p.NameSim(ocr.Name, in.Name)
		}
		if ocr.Number != "" && p.NumberSim != nil {
			comp.CollectorNumber = p.NumberSim(ocr.Number, in.Number, in.Game)
		}
		if ocr.SetCode != "" && strings.EqualFold(ocr.SetCode, in.SetCode) {
			comp.SetContext = 1
		}
		cand := catalog.Candidate{CardID: id, Name: in.Name, SetName: in.SetName, TCGSlug: in.Game, Number: in.Number, Components: comp}
		cand.Score = Score(comp, p.weights(), ocr.Name != "", ocr.Number != "", false)
		rot := c.Rotation
		cand.RotationUsed = &rot
		cands = append(cands, cand)
		paths[id] = in.ImagePath
	}
	rank(cands)
	lap("score")

	// local features on the top few: confirms the artwork, separates near twins
	if p.Verifier != nil && read && len(cands) > 0 {
		top := cands[:min(3, len(cands))]
		refs := make([]string, len(top))
		for i, c := range top {
			refs[i] = paths[c.CardID]
		}
		scores, err := p.Verifier.Match(ctx, c.Image, refs)
		if err != nil {
			return cr, fmt.Errorf("recognize: verify: %w", err)
		}
		for i := range top {
			if refs[i] != "" {
				top[i].Components.FeatureMatch = scores[i]
			}
		}
		// Every candidate is scored with the feature weight once the
		// verifier has run (one it did not look at has no feature support):
		// a score without that weight is not comparable and could outrank
		// or tie a verified one.
		for i := range cands {
			cands[i].Score = Score(cands[i].Components, p.weights(), ocr.Name != "", ocr.Number != "", true)
		}
		rank(cands)
		lap("verify")
	}
	n := p.MaxCandidates
	if n <= 0 {
		n = 5
	}
	cr.Candidates = cands[:min(n, len(cands))]
	return cr, nil
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

// numberForms are the catalogue spellings an OCR'd number may match.
func numberForms(n string) []string {
	forms := []string{n}
	if i := strings.IndexByte(n, '/'); i > 0 {
		forms = append(forms, n[:i])
	}
	return forms
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
// to timings[name] (milliseconds).
func stopwatch(timings map[string]float64) func(name string) {
	last := time.Now()
	return func(name string) {
		now := time.Now()
		timings[name] += float64(now.Sub(last).Microseconds()) / 1000
		last = now
	}
}
