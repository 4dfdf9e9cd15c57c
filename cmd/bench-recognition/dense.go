package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/recognizer/detect"
	"github.com/collectorstash/csm/recognizer/synth"
)

// KindDense is a photo of a deck laid out in a touching grid (issue 13,
// part 6): DenseCards cards, 8×5, touching or nearly, in perspective.
const KindDense Kind = "dense"

// DenseCards is the number of cards in a dense-grid photo.
const DenseCards = 40

// Targets of issue 13, part 6: binder pages with glare and sleeves, and a
// dense spread of 40 touching cards, each against its own recall target.
const (
	targetDenseRec = 90.0
)

// denseSizes are the frames of the dense-grid photos, taken in turn: a
// 1280×960 upload and a 12 MP phone photo.
var denseSizes = [][2]int{{1280, 960}, {4032, 3024}}

// denseOptions draws the photo effects of the i-th dense-grid photo:
// Random's light, blur, noise and JPEG, a tilt of up to 25°, the grid
// turned a few degrees (upside down now and then), glare on half, and
// alternately 1280×960 and 12 MP.
func denseOptions(rng *rand.Rand, i int) synth.Options {
	o := sheetOptions(rng)
	sz := denseSizes[i%len(denseSizes)]
	o.Width, o.Height = sz[0], sz[1]
	o.Sleeve = rng.Float64() < 0.3
	if rng.Float64() < 0.5 {
		o.Glare = 0.3 + 0.6*rng.Float64()
	} else {
		o.Glare = 0
	}
	return o
}

// binderOptions draws the effects of a binder page: sheetOptions with the
// cards in sleeves behind the pockets half the time and a lamp's glare on
// the plastic of most pages.
func binderOptions(rng *rand.Rand) synth.Options {
	o := sheetOptions(rng)
	o.Sleeve = rng.Float64() < 0.5
	if rng.Float64() < 0.75 {
		o.Glare = 0.3 + 0.6*rng.Float64()
	}
	return o
}

// sizeName labels a frame size for the detection timings.
func sizeName(w, h int) string {
	if w*h >= 8_000_000 {
		return fmt.Sprintf("%d×%d (12 MP)", w, h)
	}
	return fmt.Sprintf("%d×%d", w, h)
}

// DetectTimes are in-process detection times (decoded photo to boxes, one
// goroutine) of the multi-card photos, per kind and frame size.
type DetectTimes map[string][]float64

// measureDetection runs the detector in this process over every
// multi-card photo, one at a time (decoded as the worker decodes it, which
// may reduce a 12 MP photo), and records its time by kind and frame.
func measureDetection(ctx context.Context, qs []Query) (DetectTimes, error) {
	out := DetectTimes{}
	d := detect.New()
	p := newBar(len(qs), "detect multi-card photos in-process")
	defer p.Finish()
	for _, q := range qs {
		img, err := wire.Decode(q.JPEG)
		if err != nil {
			return nil, fmt.Errorf("dense: decode: %w", err)
		}
		start := time.Now()
		if _, err := d.Detect(ctx, img); err != nil {
			return nil, fmt.Errorf("dense: detect: %w", err)
		}
		b := img.Bounds()
		k := fmt.Sprintf("%-6s %s", q.Kind, sizeName(q.Opt.Width, q.Opt.Height))
		if b.Dx() != q.Opt.Width {
			k += fmt.Sprintf(", decoded at %d×%d", b.Dx(), b.Dy())
		}
		out[k] = append(out[k], ms(time.Since(start)))
		p.Add(1)
	}
	return out, nil
}

// printMulti writes the multi-card figures: per layout recall (against its
// target), precision and per-card identification, then detection times.
func (r Report) printMulti(w io.Writer) {
	fmt.Fprintln(w, "\nmulti-card photos through POST /api/cards/recognize (detections matched to ground truth at IoU ≥ 0.5):")
	for _, m := range []struct {
		name   string
		d      Detection
		target float64
	}{{"binder", r.Binder, targetBinderRec}, {"dense", r.Dense, targetDenseRec}, {"table", r.Table, 0}} {
		if m.d.Recall.Total == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-6s recall    %s", m.name, m.d.Recall)
		if m.target > 0 {
			fmt.Fprintf(w, "   target ≥ %.0f %%  %s", m.target, verdict(pct(m.d.Recall) >= m.target))
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  %-6s precision %s\n", m.name, m.d.Precision)
		fmt.Fprintf(w, "  %-6s per-card artwork top-1 %s, edition top-1 %s\n", m.name, m.d.Art, m.d.Edition)
	}
	if r.MultiFailed > 0 {
		fmt.Fprintf(w, "  failed requests %d (their cards counted missed)\n", r.MultiFailed)
	}
	if len(r.DetectMS) > 0 {
		fmt.Fprintln(w, "  detection in-process (decoded photo to boxes, one goroutine):")
		var keys []string
		for k := range r.DetectMS {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := r.DetectMS[k]
			fmt.Fprintf(w, "    %-46s n=%-3d p50 %6.0f ms  p95 %6.0f ms\n", k, len(v), percentile(v, 50), percentile(v, 95))
		}
	}
}
