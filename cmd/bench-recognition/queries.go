package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/recognizer/decode"
	"github.com/collectorstash/csm/recognizer/synth"
)

// Kind is what a query photo shows.
type Kind string

// Query kinds.
const (
	KindSingle Kind = "single"
	KindBinder Kind = "binder"
	KindTable  Kind = "table"
)

// Query is one synthesized phone photo with its ground truth.
type Query struct {
	Kind  Kind
	JPEG  []byte
	Cards []int64 // gallery card ids, in the order of Truth
	Truth []catalog.Detection
	Opt   synth.Options
	// Tier and Pool of a single-card photo: its photo distribution and its
	// card's side of the unseen split.
	Tier synth.Tier
	Pool Pool
}

// Frame is the photo's pixel size as "W×H".
func (q Query) Frame() string {
	w, h := q.Opt.Width, q.Opt.Height
	if w <= 0 || h <= 0 {
		w, h = 1280, 960
	}
	return fmt.Sprintf("%d×%d", w, h)
}

// QuerySpec sizes the query set.
type QuerySpec struct {
	// Tiers are how many single-card photos of each tier.
	Tiers           []TierCount
	Binders, Tables int
	// Dense is the number of dense-grid photos (DenseCards touching cards).
	Dense int
	Seed  uint64
}

// TierCount is how many single-card photos a tier gets.
type TierCount struct {
	Tier synth.Tier
	N    int
}

// poolShares split a tier's photos over the pools: unseen cards first
// (real ones matter most), a quarter for the training gallery. A pool
// without cards gives its share to the unseen synthetic one.
var poolShares = [numPools]float64{PoolUnseenReal: 3.0 / 8, PoolUnseenSynthetic: 3.0 / 8, PoolSeen: 1.0 / 4}

// splitPools returns how many of n photos each pool gets, given how many
// cards each holds.
func splitPools(n int, cards [numPools]int) [numPools]int {
	var out [numPools]int
	share := poolShares
	if cards[PoolUnseenReal] == 0 {
		share[PoolUnseenSynthetic] += share[PoolUnseenReal]
		share[PoolUnseenReal] = 0
	}
	if cards[PoolUnseenSynthetic] == 0 {
		share[PoolSeen] += share[PoolUnseenSynthetic]
		share[PoolUnseenSynthetic] = 0
	}
	if cards[PoolSeen] == 0 {
		share[PoolUnseenSynthetic] += share[PoolSeen]
		share[PoolSeen] = 0
	}
	left := n
	for p := Pool(0); p < numPools; p++ {
		out[p] = int(float64(n)*share[p] + 0.5)
		if p == numPools-1 || out[p] > left {
			out[p] = left
		}
		left -= out[p]
	}
	return out
}

// maxUploadQuality is the JPEG quality of an upload; large frames step it
// down until the file fits the API's 10 MB limit.
const maxUploadQuality = 92

// encodeUpload JPEG-encodes a photo as the phone uploads it.
func encodeUpload(photo image.Image) ([]byte, error) {
	for q := maxUploadQuality; ; q -= 6 {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, photo, &jpeg.Options{Quality: q}); err != nil {
			return nil, fmt.Errorf("query: encode: %w", err)
		}
		if b.Len() <= decode.MaxBytes || q <= 60 {
			return b.Bytes(), nil
		}
	}
}

// singlePlan is one single-card photo to render.
type singlePlan struct {
	id   int64
	tier synth.Tier
	pool Pool
	seed uint64
}

// makeSingles renders the single-card photos of every tier and pool on
// every core: the plan (card, tier, photo seed) is drawn in order from
// rng, each photo from its own seeded generator, so the set is
// reproducible whatever the scheduling.
func makeSingles(ctx context.Context, g *Gallery, spec QuerySpec, rng *rand.Rand, face func(int64) (*image.RGBA, error),
	progress catalog.Progress) ([]Query, error) {
	var byPool [numPools][]int64
	var size [numPools]int
	for _, c := range g.Cards {
		byPool[c.Pool] = append(byPool[c.Pool], c.ID)
		size[c.Pool]++
	}
	var plan []singlePlan
	for _, tc := range spec.Tiers {
		n := splitPools(tc.N, size)
		for p := Pool(0); p < numPools; p++ {
			for i := 0; i < n[p]; i++ {
				id := byPool[p][rng.IntN(len(byPool[p]))]
				plan = append(plan, singlePlan{id: id, tier: tc.Tier, pool: p, seed: rng.Uint64()})
			}
		}
	}
	out := make([]Query, len(plan))
	var mu sync.Mutex // face cache
	var firstErr error
	var wg sync.WaitGroup
	jobs := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				pl := plan[i]
				mu.Lock()
				f, err := face(pl.id)
				mu.Unlock()
				var data []byte
				var truth []catalog.Detection
				var opt synth.Options
				if err == nil {
					prng := rand.New(rand.NewPCG(pl.seed, 0x51))
					opt = synth.ForTier(pl.tier, prng)
					var photo *image.RGBA
					photo, truth = synth.Photo(f, opt, prng)
					data, err = encodeUpload(photo)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				out[i] = Query{Kind: KindSingle, JPEG: data, Cards: []int64{pl.id}, Truth: truth, Opt: opt, Tier: pl.tier, Pool: pl.pool}
				progress.Add(1)
			}
		}()
	}
	for i := range plan {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, firstErr
}

// MakeQueries synthesizes the photos (seeded, so reproducible): single-card
// photos of every tier (synth.ForTier: normal is synth.Random's mix of
// perspective, scale, rotation, backgrounds, light, glare, blur, noise,
// JPEG 60–95, sleeves and fingers; hard and real-res as synth documents),
// their cards drawn from each pool (splitPools); 3×3 binder pages; 3–6
// loose cards on a table.
func MakeQueries(ctx context.Context, g *Gallery, spec QuerySpec, progress catalog.Progress) ([]Query, error) {
	defer progress.Finish()
	rng := rand.New(rand.NewPCG(spec.Seed, 0x9E37))
	faces := map[int64]*image.RGBA{}
	face := func(id int64) (*image.RGBA, error) {
		if f, ok := faces[id]; ok {
			return f, nil
		}
		f, err := wire.LoadImage(g.Cards[id-1].Path)
		if err != nil {
			return nil, fmt.Errorf("query face %s: %w", g.Cards[id-1].Path, err)
		}
		if len(faces) > 64 {
			clear(faces)
		}
		faces[id] = f
		return f, nil
	}
	pick := func() int64 { return int64(1 + rng.IntN(len(g.Cards))) }
	var qs []Query
	add := func(kind Kind, ids []int64, opt synth.Options) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		imgs := make([]image.Image, len(ids))
		for i, id := range ids {
			f, err := face(id)
			if err != nil {
				return err
			}
			imgs[i] = f
		}
		var photo *image.RGBA
		var truth []catalog.Detection
		switch kind {
		case KindSingle:
			photo, truth = synth.Photo(imgs[0], opt, rng)
		case KindBinder:
			photo, truth = synth.Sheet(imgs, synth.LayoutBinder, opt, rng)
		case KindDense:
			photo, truth = synth.Sheet(imgs, synth.LayoutDense, opt, rng)
		default:
			photo, truth = synth.Sheet(imgs, synth.LayoutTable, opt, rng)
		}
		// the photo already went through opt.JPEGQuality; this is the upload
		data, err := encodeUpload(photo)
		if err != nil {
			return err
		}
		qs = append(qs, Query{Kind: kind, JPEG: data, Cards: ids, Truth: truth, Opt: opt})
		progress.Add(1)
		return nil
	}
	singles, err := makeSingles(ctx, g, spec, rng, face, progress)
	if err != nil {
		return nil, err
	}
	qs = append(qs, singles...)
	// the multi-card photos draw from a stream of their own, so they do
	// not change with the number of single-card photos
	rng = rand.New(rand.NewPCG(spec.Seed, 0x9E38))
	for i := 0; i < spec.Binders; i++ {
		ids := make([]int64, 9)
		for j := range ids {
			ids[j] = pick()
		}
		opt := binderOptions(rng)
		if err := add(KindBinder, ids, opt); err != nil {
			return nil, err
		}
	}
	for i := 0; i < spec.Tables; i++ {
		ids := make([]int64, 3+rng.IntN(4))
		for j := range ids {
			ids[j] = pick()
		}
		opt := sheetOptions(rng)
		opt.Scale = 0.24 + 0.1*rng.Float64()
		if err := add(KindTable, ids, opt); err != nil {
			return nil, err
		}
	}
	// The dense photos last, from their own stream.
	rng = rand.New(rand.NewPCG(spec.Seed, 0xD3A5))
	for i := 0; i < spec.Dense; i++ {
		ids := make([]int64, DenseCards)
		for j := range ids {
			ids[j] = pick()
		}
		if err := add(KindDense, ids, denseOptions(rng, i)); err != nil {
			return nil, err
		}
	}
	return qs, nil
}

// sheetOptions draws the photo effects of a multi-card photo: Random's
// light, glare, blur, noise, JPEG and sleeves, a gentler tilt, the page's
// default size, and sometimes upside down.
func sheetOptions(rng *rand.Rand) synth.Options {
	o := synth.Random(rng)
	o.Width, o.Height = 1600, 1200
	o.Scale = 0
	o.Tilt = min(o.Tilt, 25)
	o.Fingers = false
	o.Rotation = rng.NormFloat64() * 4
	if rng.Float64() < 0.15 {
		o.Rotation += 180
	}
	return o
}
