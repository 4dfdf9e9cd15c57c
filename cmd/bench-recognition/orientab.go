package main

import (
	"context"
	"fmt"
	"github.com/collectorstash/csm/cmd/internal/sysload"
	"image"
	"io"
	"time"

	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/recognizer"
)

// alwaysRetry makes the pipeline embed and search every card upside down
// too, as it did before the retry was gated.
const alwaysRetry = 2

// OrientAB compares the rotated retry before (every card embedded and
// searched both ways) and after (only cards matched below the pipeline's
// RotatedSearchBelow), in process, alternating per photo.
type OrientAB struct {
	N            int
	Art1         [2]Ratio     // before, after
	EmbedSearch  [2][]float64 // ms of the embed and search stages
	Recognize    [2][]float64 // ms of the whole Recognize
	Retried      int          // photos the after variant retried
	RotWon       int          // photos whose upside-down view matched better (probe)
	RotWonMaxSim float64      // the best upright similarity among those
	Confident    int          // photos whose upright match ≥ the threshold
	Threshold    float64
	Load         string
}

// runOrientAB runs the A/B on up to n photos.
func runOrientAB(ctx context.Context, rec *wire.Recognition, ev Eval, qs []Query, n int) (OrientAB, error) {
	ab := OrientAB{Threshold: 0.9, Load: sysload.Load1()}
	p := newBar(min(n, len(qs)), "rotated retry A/B")
	defer p.Finish()
	variant := [2]float64{alwaysRetry, 0}
	for i, q := range qs[:min(n, len(qs))] {
		img, err := wire.Decode(q.JPEG)
		if err != nil {
			return ab, fmt.Errorf("orientation A/B: %w", err)
		}
		for k := 0; k < 2; k++ {
			v := (i + k) % 2 // alternate which runs first
			rec.Pipeline.RotatedSearchBelow = variant[v]
			t := time.Now()
			res, err := rec.Pipeline.Recognize(ctx, img, recognizer.Options{})
			if err != nil {
				return ab, fmt.Errorf("orientation A/B: %w", err)
			}
			ab.Recognize[v] = append(ab.Recognize[v], ms(time.Since(t)))
			ab.EmbedSearch[v] = append(ab.EmbedSearch[v], res.Timings["embed"]+res.Timings["search"])
			ab.Art1[v].Add(len(res.Candidates) > 0 && ev.family(res.Candidates[0].CardID) == ev.family(q.Cards[0]))
		}
		rec.Pipeline.RotatedSearchBelow = 0
		// the probe: the best detection both ways, as the old code compared
		rc, _, err := (&Baseline{}).rectify(ctx, rec, q.JPEG)
		if err != nil {
			return ab, err
		}
		vecs, err := rec.Embedder.Embed(ctx, []*image.RGBA{rc.Image, rotate180(rc.Image)})
		if err != nil {
			return ab, fmt.Errorf("orientation A/B: %w", err)
		}
		up, err := rec.Index.Search(ctx, "", vecs[0], 10, "")
		if err != nil {
			return ab, fmt.Errorf("orientation A/B: %w", err)
		}
		down, err := rec.Index.Search(ctx, "", vecs[1], 10, "")
		if err != nil {
			return ab, fmt.Errorf("orientation A/B: %w", err)
		}
		upSim := 0.0
		if len(up) > 0 {
			upSim = 1 - up[0].Distance
		}
		if upSim >= ab.Threshold {
			ab.Confident++
		} else {
			ab.Retried++
		}
		if len(down) > 0 && (len(up) == 0 || down[0].Distance+0.02 < up[0].Distance) {
			ab.RotWon++
			ab.RotWonMaxSim = max(ab.RotWonMaxSim, upSim)
		}
		ab.N++
		p.Add(1)
	}
	return ab, nil
}

// Print writes the A/B side by side.
func (ab OrientAB) Print(w io.Writer) {
	if ab.N == 0 {
		return
	}
	fmt.Fprintf(w, "\nrotated retry A/B, in process, %d normal+hard photos, the two variants alternating (load %s at the start):\n", ab.N, ab.Load)
	for v, name := range []string{"before: every card embedded and searched upside down too", fmt.Sprintf("after: retried only below similarity %.2f", ab.Threshold)} {
		fmt.Fprintf(w, "  %-58s artwork top-1 %s; embed+search p50 %.1f ms, p95 %.1f ms; Recognize p50 %.0f ms\n",
			name, ab.Art1[v], percentile(ab.EmbedSearch[v], 50), percentile(ab.EmbedSearch[v], 95), percentile(ab.Recognize[v], 50))
	}
	fmt.Fprintf(w, "  probe (best detection, both ways): upright match ≥ %.2f on %d/%d photos (no retry); the upside-down view won on %d, whose upright similarity was at most %.3f\n",
		ab.Threshold, ab.Confident, ab.N, ab.RotWon, ab.RotWonMaxSim)
}
