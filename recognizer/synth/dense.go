package synth

import (
	"math"
	"math/rand/v2"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// denseLayout places n cards in a grid as a deck is laid out on a table to
// be photographed at once: the grid of about the frame's aspect ratio
// (40 cards at 4:3 make 8 columns by 5 rows), the cards touching or nearly
// touching (gaps of 0–1.5% of a card's width, a few overlapping by a
// hair), each off its cell by up to about 1% and turned by about a
// degree. It returns each card's placement (card pixels → layout) and the
// layout's size in card pixels.
func denseLayout(n int, cw, ch, frameAspect float64, rng *rand.Rand) ([]quad.H, float64, float64) {
	cols, rows := gridShape(n, cw/ch, frameAspect)
	gapX := func() float64 { return cw * (-0.002 + 0.017*rng.Float64()) }
	// Column and row positions: each gap drawn once, so that cards of one
	// column line up as a laid-out deck does.
	xs := make([]float64, cols+1)
	for c := 1; c <= cols; c++ {
		xs[c] = xs[c-1] + cw + gapX()
	}
	ys := make([]float64, rows+1)
	for r := 1; r <= rows; r++ {
		ys[r] = ys[r-1] + ch + gapX()
	}
	var out []quad.H
	for i := 0; i < n; i++ {
		r, c := i/cols, i%cols
		cx := xs[c] + cw/2 + rng.NormFloat64()*0.005*cw
		cy := ys[r] + ch/2 + rng.NormFloat64()*0.005*cw
		deg := rng.NormFloat64() * 0.8
		out = append(out, placement(cw, ch, 1, 1, deg, cx, cy))
	}
	return out, xs[cols-1] + cw, ys[rows-1] + ch
}

// gridShape picks the columns and rows for n cards of aspect cardAspect
// (w/h) whose grid is closest to frameAspect, preferring fuller grids.
func gridShape(n int, cardAspect, frameAspect float64) (int, int) {
	best, bc, br := math.Inf(1), n, 1
	for c := 1; c <= n; c++ {
		r := (n + c - 1) / c
		if (c-1)*r >= n && c > 1 {
			continue // a column fewer holds them all
		}
		a := float64(c) * cardAspect / float64(r)
		cost := math.Abs(math.Log(a/frameAspect)) + 0.3*float64(c*r-n)/float64(n)
		if cost < best {
			best, bc, br = cost, c, r
		}
	}
	return bc, br
}
