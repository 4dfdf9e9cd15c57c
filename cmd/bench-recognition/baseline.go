package main

import (
	"context"
	"fmt"
	"image"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/internal/wire"
)

// Baseline compares, on the same rectified crops of the single-card
// queries, a training-free perceptual hash with the model's embedding
// alone (exact nearest neighbour, no OCR, no scoring).
type Baseline struct {
	hashes []pHash     // by card id - 1
	ids    []int64     // gallery vectors' card ids
	vecs   [][]float32 // unit length
	rivals []*Rival    // other models on the same crops
}

// NewBaseline hashes every gallery image (on every core) and keeps the
// indexed embeddings.
func NewBaseline(ctx context.Context, g *Gallery, ids []int64, vecs [][]float32, progress catalog.Progress) (*Baseline, error) {
	defer progress.Finish()
	b := &Baseline{hashes: make([]pHash, len(g.Cards)), ids: ids, vecs: vecs}
	for _, v := range vecs {
		normalize(v)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				img, err := wire.LoadImage(g.Cards[i].Path)
				if err != nil {
					mu.Lock()
					firstErr = fmt.Errorf("baseline: %s: %w", g.Cards[i].Path, err)
					mu.Unlock()
				} else {
					b.hashes[i] = PHash(img)
				}
				progress.Add(1)
			}
		}()
	}
	for i := range g.Cards {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return b, ctx.Err()
}

func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	k := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= k
	}
}

// BaselineResult is the top-5 gallery cards of each method for one query.
type BaselineResult struct {
	PHash, Embedding []int64
	Rivals           [][]int64 // by b.rivals
	Detected         bool
}

// nearest returns the 5 ids of vecs most cosine-similar to q, and the best
// similarity.
func nearest(ids []int64, vecs [][]float32, q []float32) ([]int64, float64) {
	q = append([]float32(nil), q...)
	normalize(q)
	type hit struct {
		id  int64
		sim float64
	}
	hits := make([]hit, len(vecs))
	for i, v := range vecs {
		var s float64
		for k := range v {
			s += float64(v[k]) * float64(q[k])
		}
		hits[i] = hit{ids[i], s}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].sim > hits[j].sim })
	out := make([]int64, 0, 5)
	for _, x := range hits[:min(5, len(hits))] {
		out = append(out, x.id)
	}
	if len(hits) == 0 {
		return out, 0
	}
	return out, hits[0].sim
}

// pickOrientation ranks by the upright crop's vector unless the turned
// one is clearly (0.02) nearer its best match, as the pipeline does.
func pickOrientation(ids []int64, vecs [][]float32, up, down []float32) []int64 {
	eu, su := nearest(ids, vecs, up)
	ed, sd := nearest(ids, vecs, down)
	if sd-0.02 > su {
		return ed
	}
	return eu
}

// Run crops the photo with the real detect stage (the best detection,
// rectified; the whole frame when none) and ranks the gallery by pHash
// Hamming distance and by embedding cosine similarity, each trying the
// crop upright and upside down as the pipeline does.
func (b *Baseline) Run(ctx context.Context, rec *wire.Recognition, photo []byte) (BaselineResult, error) {
	var out BaselineResult
	rc, detected, err := b.rectify(ctx, rec, photo)
	if err != nil {
		return out, err
	}
	out.Detected = detected
	crops := []*image.RGBA{rc.Image, rotate180(rc.Image)}

	// pHash: the orientation with the nearer hash
	bestH := func(h pHash) ([]int64, int) {
		type hit struct {
			id int64
			d  int
		}
		hits := make([]hit, len(b.hashes))
		for i, g := range b.hashes {
			hits[i] = hit{int64(i + 1), h.Distance(g)}
		}
		sort.SliceStable(hits, func(i, j int) bool { return hits[i].d < hits[j].d })
		ids := make([]int64, 0, 5)
		for _, x := range hits[:min(5, len(hits))] {
			ids = append(ids, x.id)
		}
		return ids, hits[0].d
	}
	up, du := bestH(PHash(crops[0]))
	down, dd := bestH(PHash(crops[1]))
	out.PHash = up
	if dd < du {
		out.PHash = down
	}

	// embedding: exact cosine nearest neighbours, the pipeline's upright
	// preference (0.02)
	vecs, err := rec.Embedder.Embed(ctx, crops)
	if err != nil {
		return out, fmt.Errorf("baseline: embed: %w", err)
	}
	out.Embedding = pickOrientation(b.ids, b.vecs, vecs[0], vecs[1])
	for _, rv := range b.rivals {
		ids, err := rv.Rank(ctx, crops)
		if err != nil {
			return out, err
		}
		out.Rivals = append(out.Rivals, ids)
	}
	return out, nil
}

// rectify crops the photo as Run does: the best-scored detection, or the
// whole frame when none.
func (b *Baseline) rectify(ctx context.Context, rec *wire.Recognition, photo []byte) (catalog.RectifiedCard, bool, error) {
	var out struct{ Detected bool }
	img, err := wire.Decode(photo)
	if err != nil {
		return catalog.RectifiedCard{}, false, fmt.Errorf("baseline: %w", err)
	}
	dets, err := rec.Detector.Detect(ctx, img)
	if err != nil {
		return catalog.RectifiedCard{}, false, fmt.Errorf("baseline: detect: %w", err)
	}
	var d catalog.Detection
	if len(dets) == 0 {
		r := img.Bounds()
		w, h := float64(r.Dx()), float64(r.Dy())
		d = catalog.Detection{Corners: [4]catalog.Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}}, AreaFraction: 1}
	} else {
		out.Detected = true
		d = dets[0]
		for _, x := range dets[1:] {
			if x.Score > d.Score {
				d = x
			}
		}
	}
	rc, err := rec.Detector.Rectify(ctx, img, d)
	if err != nil {
		return catalog.RectifiedCard{}, false, fmt.Errorf("baseline: rectify: %w", err)
	}
	return rc, out.Detected, nil
}

// Crop is the crop the pipeline answers with: of every detection (or the
// whole frame), rectified and tried upright and upside down (the upright
// preferred by 0.02), the one nearest a gallery image.
func (b *Baseline) Crop(ctx context.Context, rec *wire.Recognition, photo []byte) (*image.RGBA, error) {
	img, err := wire.Decode(photo)
	if err != nil {
		return nil, fmt.Errorf("crop: %w", err)
	}
	dets, err := rec.Detector.Detect(ctx, img)
	if err != nil {
		return nil, fmt.Errorf("crop: detect: %w", err)
	}
	if len(dets) == 0 {
		r := img.Bounds()
		w, h := float64(r.Dx()), float64(r.Dy())
		dets = []catalog.Detection{{Corners: [4]catalog.Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}}, AreaFraction: 1}}
	}
	var best *image.RGBA
	bestSim := -2.0
	for _, d := range dets {
		rc, err := rec.Detector.Rectify(ctx, img, d)
		if err != nil {
			return nil, fmt.Errorf("crop: rectify: %w", err)
		}
		crops := []*image.RGBA{rc.Image, rotate180(rc.Image)}
		vecs, err := rec.Embedder.Embed(ctx, crops)
		if err != nil {
			return nil, fmt.Errorf("crop: embed: %w", err)
		}
		_, su := nearest(b.ids, b.vecs, vecs[0])
		_, sd := nearest(b.ids, b.vecs, vecs[1])
		c, sim := crops[0], su
		if sd-0.02 > su {
			c, sim = crops[1], sd
		}
		if sim > bestSim {
			best, bestSim = c, sim
		}
	}
	return best, nil
}
