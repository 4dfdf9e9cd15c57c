package main

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/internal/wire"
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
}

// QuerySpec sizes the query set.
type QuerySpec struct {
	Singles, Binders, Tables int
	// Dense is the number of dense-grid photos (DenseCards touching cards).
	Dense int
	Seed  uint64
}

// MakeQueries synthesizes the photos (seeded, so reproducible): single-card
// photos with synth.Random's mix of perspective, scale, rotation (upside
// down included), backgrounds, light, glare, blur, noise, JPEG 60–95,
// sleeves and fingers; 3×3 binder pages (sleeves and glare on the pockets'
// plastic, see binderOptions); 3–6 loose cards on a table; decks of
// DenseCards touching cards laid out in a grid, at 1280×960 and 12 MP in
// turn (see denseOptions). The dense photos are drawn from their own rng,
// so adding them leaves the other photos as they were.
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
		upload, err := encodeUpload(photo)
		if err != nil {
			return err
		}
		qs = append(qs, Query{Kind: kind, JPEG: upload, Cards: ids, Truth: truth, Opt: opt})
		progress.Add(1)
		return nil
	}
	for i := 0; i < spec.Singles; i++ {
		if err := add(KindSingle, []int64{pick()}, synth.Random(rng)); err != nil {
			return nil, err
		}
	}
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
