package detect

import (
	"math"
	"sort"

	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// houghQuads finds card quadrilaterals from straight lines over the whole
// photo, for edges that contours cannot separate: in a binder page or a
// tight row of cards every card's outline joins its neighbours' into one
// grid, which no single contour follows. Line segments (probabilistic
// Hough on Canny edges) are merged when collinear, paired into nearly
// parallel opposite sides a card's width or height apart, and two such
// pairs at an angle make a quad. minSide and maxSide bound a card's sides
// in work pixels.
func houghQuads(edges gocv.Mat, minSide, maxSide float64) [][4]quad.Point {
	lines := gocv.NewMat()
	defer lines.Close()
	gocv.HoughLinesPWithParams(edges, &lines, 1, math.Pi/180, 30, float32(minSide), 3)
	var segs []segment
	for i := 0; i < lines.Rows(); i++ {
		v := lines.GetVeciAt(i, 0)
		a := quad.Point{X: float64(v[0]) + 0.5, Y: float64(v[1]) + 0.5}
		b := quad.Point{X: float64(v[2]) + 0.5, Y: float64(v[3]) + 0.5}
		segs = append(segs, segment{a, b, quad.Dist(a, b)})
	}
	segs = mergeCollinear(segs)
	if len(segs) > maxHoughLines {
		segs = segs[:maxHoughLines]
	}
	type pair struct {
		i, j int
		dir  float64
		w    float64
	}
	var pairs []pair
	for i := range segs {
		ai := math.Atan2(segs[i].b.Y-segs[i].a.Y, segs[i].b.X-segs[i].a.X)
		for j := i + 1; j < len(segs); j++ {
			aj := math.Atan2(segs[j].b.Y-segs[j].a.Y, segs[j].b.X-segs[j].a.X)
			if angleDiff(ai, aj) > 20*math.Pi/180 {
				continue
			}
			mid := quad.Point{X: (segs[j].a.X + segs[j].b.X) / 2, Y: (segs[j].a.Y + segs[j].b.Y) / 2}
			d := distToLine(mid, line{segs[i].a, segs[i].b})
			if d < 0.8*minSide || d > 1.1*maxSide || !overlapAlong(segs[i], segs[j]) {
				continue
			}
			pairs = append(pairs, pair{i, j, ai, segs[i].len + segs[j].len})
		}
	}
	sort.Slice(pairs, func(a, b int) bool { return pairs[a].w > pairs[b].w })
	if len(pairs) > maxHoughPairs {
		pairs = pairs[:maxHoughPairs]
	}
	var out [][4]quad.Point
	for x := range pairs {
		for y := x + 1; y < len(pairs); y++ {
			p, r := pairs[x], pairs[y]
			if angleDiff(p.dir, r.dir) < 50*math.Pi/180 {
				continue
			}
			if q, ok := quadOf(segs[p.i], segs[r.i], segs[p.j], segs[r.j]); ok {
				out = append(out, q)
			}
		}
	}
	return out
}

// Bounds on the line search: segments and side pairs kept, longest first.
const (
	maxHoughLines = 120
	maxHoughPairs = 600
)

// overlapAlong reports whether b's projection onto a's direction overlaps
// a by at least a quarter of the shorter: opposite sides of one card face
// each other.
func overlapAlong(a, b segment) bool {
	dx, dy := (a.b.X-a.a.X)/a.len, (a.b.Y-a.a.Y)/a.len
	t0 := (b.a.X-a.a.X)*dx + (b.a.Y-a.a.Y)*dy
	t1 := (b.b.X-a.a.X)*dx + (b.b.Y-a.a.Y)*dy
	lo, hi := math.Max(0, math.Min(t0, t1)), math.Min(a.len, math.Max(t0, t1))
	return hi-lo >= 0.25*math.Min(a.len, b.len)
}
