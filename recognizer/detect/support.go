package detect

import (
	"image"
	"math"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// rgbPlane is an 8-bit colour image in Go memory (3 or 4 bytes a pixel,
// R G B first) for gradient sampling. When gx and gy are filled
// (precompute), gradient reads them instead of computing.
type rgbPlane struct {
	w, h, stride int
	pix          []byte
	gx, gy       []float32
}

// precompute fills the gradient of every pixel, for planes sampled many
// times (the work image, scored for every candidate).
func (p *rgbPlane) precompute() {
	p.gx = make([]float32, p.w*p.h)
	p.gy = make([]float32, p.w*p.h)
	for y := 1; y < p.h-1; y++ {
		for x := 1; x < p.w-1; x++ {
			gx, gy := p.sobel(x, y)
			p.gx[y*p.w+x], p.gy[y*p.w+x] = float32(gx), float32(gy)
		}
	}
}

func planeOf(img *image.RGBA) *rgbPlane {
	b := img.Bounds()
	if img.Stride == 4*b.Dx() && b.Min == (image.Point{}) {
		return &rgbPlane{w: b.Dx(), h: b.Dy(), stride: 4, pix: img.Pix}
	}
	cp := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		off := img.PixOffset(b.Min.X, b.Min.Y+y)
		copy(cp.Pix[4*b.Dx()*y:], img.Pix[off:off+4*b.Dx()])
	}
	return &rgbPlane{w: b.Dx(), h: b.Dy(), stride: 4, pix: cp.Pix}
}

// gradient returns the Sobel gradient (per pixel, in levels) of the colour
// channel with the strongest gradient at the pixel containing (x, y).
func (p *rgbPlane) gradient(x, y float64) (gx, gy float64) {
	ix, iy := int(x), int(y)
	if x < 0 || y < 0 || ix < 1 || iy < 1 || ix >= p.w-1 || iy >= p.h-1 {
		return 0, 0
	}
	if p.gx != nil {
		i := iy*p.w + ix
		return float64(p.gx[i]), float64(p.gy[i])
	}
	return p.sobel(ix, iy)
}

// sobel computes gradient for an inner pixel.
func (p *rgbPlane) sobel(ix, iy int) (gx, gy float64) {
	best := -1.0
	s := p.stride
	row := p.w * s
	base := iy*row + ix*s
	for c := 0; c < 3; c++ {
		o := base + c
		tl, t, tr := int(p.pix[o-row-s]), int(p.pix[o-row]), int(p.pix[o-row+s])
		l, r := int(p.pix[o-s]), int(p.pix[o+s])
		bl, bm, br := int(p.pix[o+row-s]), int(p.pix[o+row]), int(p.pix[o+row+s])
		x1 := float64(tr + 2*r + br - tl - 2*l - bl)
		y1 := float64(bl + 2*bm + br - tl - 2*t - tr)
		if m := x1*x1 + y1*y1; m > best {
			best, gx, gy = m, x1/8, y1/8
		}
	}
	return gx, gy
}

// supportThreshold is the least gradient across an outline, in levels per
// pixel, that counts as an edge: well above sensor noise after the 5×5
// smoothing, well below any visible card edge.
const supportThreshold = 3.5

// support scores how much of q's outline lies on image gradient that runs
// along it, per side as sideSupport; the score is the mean of the sides
// blended with the weakest side, so that a quad needs all four sides.
func (ws *workset) support(q [4]quad.Point) float64 {
	sum, least := 0.0, 1.0
	for i := 0; i < 4; i++ {
		s := sideSupport(ws.grad, q[i], q[(i+1)%4], 3)
		sum += s
		least = math.Min(least, s)
	}
	return 0.5*sum/4 + 0.5*least
}

// split reports whether q is two cards side by side rather than one: two
// cards of a binder row or a table, long sides touching, make an outline of
// card proportions too (2×0.69 : 1 ≈ 1 : 0.72). Such an outline is crossed
// near its middle, parallel to its short sides, by the gap between the
// cards: an edge into the gap and an edge out of it, of opposite polarity
// (the gap is the page or the table, darker or lighter than both cards),
// each straight across the outline and running right up to its long sides
// (the cards' own outlines; see reachesEnds). A single card's middle may
// hold straight edges too — the foot of an artwork box, a text box, a line
// of rules text — but they stop at the card's border or frame, or come
// alone.
func (ws *workset) split(q [4]quad.Point) bool {
	// Sides 0 and 2 are the long ones when their sum is larger.
	i := 0
	if quad.Dist(q[0], q[1])+quad.Dist(q[2], q[3]) < quad.Dist(q[1], q[2])+quad.Dist(q[3], q[0]) {
		i = 1
	}
	mid := func(a, b quad.Point) quad.Point { return quad.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2} }
	// The line joining the midpoints of the two long sides, slid along
	// them by up to 8% of their length (the gap need not be centred) one
	// pixel at a time; a tight reach keeps each test on its own line.
	a := mid(q[i], q[i+1])
	b := mid(q[(i+2)%4], q[(i+3)%4])
	l1, l2 := quad.Dist(q[i], q[i+1]), quad.Dist(q[(i+2)%4], q[(i+3)%4])
	d1x, d1y := (q[i+1].X-q[i].X)/l1, (q[i+1].Y-q[i].Y)/l1
	d2x, d2y := (q[(i+2)%4].X-q[(i+3)%4].X)/l2, (q[(i+2)%4].Y-q[(i+3)%4].Y)/l2
	k := int(0.08 * l1)
	var rising, falling []int // offsets of full-length edges of each polarity
	for off := -k; off <= k; off++ {
		o := float64(off)
		pa := quad.Point{X: a.X + o*d1x, Y: a.Y + o*d1y}
		pb := quad.Point{X: b.X + o*d2x*l2/l1, Y: b.Y + o*d2y*l2/l1}
		up, down, _ := edgeSupports(ws.grad, pa, pb, 1, false)
		if (up > 0.6 || down > 0.6) && reachesEnds(ws.grad, pa, pb) {
			if up > 0.6 {
				rising = append(rising, off)
			}
			if down > 0.6 {
				falling = append(falling, off)
			}
		}
	}
	// The gap: 2 px to 8% of the long side wide (binder pockets are 3%
	// apart, loose cards rarely touch).
	maxGap := max(2, int(0.08*l1))
	for _, r := range rising {
		for _, f := range falling {
			if d := abs(r - f); d >= 2 && d <= maxGap {
				return true
			}
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// sideSupport is the fraction of samples along a→b where an edge crosses
// the side on one straight line. For each polarity (dark-to-light across
// the side, or the reverse) the strongest crossing of that polarity within
// reach pixels is taken at every sample, a straight line is fitted to
// their offsets, and the hits within a pixel of it count; the side scores
// the better polarity. A card edge often has two parallel edges (surface
// to a dark rim, rim to the printed border) of opposite polarity; each is
// a clean line of its own. A change of hue rather than brightness (a
// yellow border on a tan table) has no polarity: the strongest channel's
// gradient rises in red and falls in blue, and which of the two is the
// strongest flips from sample to sample; so the strongest crossing of
// either sign is fitted too, and the side scores the best of the three
// fits. Textured regions (artwork, wood, clutter) have strong gradient
// everywhere but at scattered offsets, so they score low where a card's
// edge scores near 1.
func sideSupport(p *rgbPlane, a, b quad.Point, reach int) float64 {
	up, down, either := edgeSupports(p, a, b, reach, true)
	return math.Max(math.Max(up, down), either)
}

// edgeSupports returns the fits of sideSupport: edges rising across a→b
// (dark to light, left to right of the direction of travel), falling, and,
// when asked for, of either sign.
func edgeSupports(p *rgbPlane, a, b quad.Point, reach int, withEither bool) (up, down, either float64) {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := math.Hypot(dx, dy)
	if l < 4 {
		return 0, 0, 0
	}
	nx, ny := -dy/l, dx/l
	n := min(maxSamples, max(12, int(l/3)))
	var bp, bn, ba [maxSamples]hit
	pos, neg, any := bp[:0], bn[:0], ba[:0]
	for k := 0; k < n; k++ {
		t := 0.08 + 0.84*(float64(k)+0.5)/float64(n)
		px, py := a.X+t*dx, a.Y+t*dy
		bestP, offP, bestN, offN := 0.0, 0.0, 0.0, 0.0
		for s := -reach; s <= reach; s++ {
			gx, gy := p.gradient(px+float64(s)*nx, py+float64(s)*ny)
			across := gx*nx + gy*ny
			if across*across < 0.5*(gx*gx+gy*gy) {
				continue // mostly along the side: not this side's edge
			}
			if across > bestP {
				bestP, offP = across, float64(s)
			} else if -across > bestN {
				bestN, offN = -across, float64(s)
			}
		}
		if bestP >= supportThreshold {
			pos = append(pos, hit{t, offP})
		}
		if bestN >= supportThreshold {
			neg = append(neg, hit{t, offN})
		}
		if withEither && (bestP >= supportThreshold || bestN >= supportThreshold) {
			off := offP
			if bestN > bestP {
				off = offN
			}
			any = append(any, hit{t, off})
		}
	}
	fn := float64(n)
	return collinear(pos) / fn, collinear(neg) / fn, collinear(any) / fn
}

// maxSamples bounds the samples along one side.
const maxSamples = 60

type hit struct{ t, off float64 }

// collinear fits off = c0 + c1·t to hits by least squares and counts the
// hits within a pixel of the line.
func collinear(hits []hit) float64 {
	if len(hits) < 3 {
		return float64(len(hits))
	}
	var st, so, stt, sto float64
	for _, h := range hits {
		st += h.t
		so += h.off
		stt += h.t * h.t
		sto += h.t * h.off
	}
	m := float64(len(hits))
	c1 := 0.0
	if den := m*stt - st*st; den != 0 {
		c1 = (m*sto - st*so) / den
	}
	c0 := (so - c1*st) / m
	in := 0
	for _, h := range hits {
		if math.Abs(h.off-(c0+c1*h.t)) <= 1 {
			in++
		}
	}
	return float64(in)
}

// reachesEnds reports whether the straight edge along a→b (found by split)
// runs on to within a border's width of an end: it is sampled at 1.5–4.5%
// of the length from each end, where the edge of a card beside the gap
// still runs straight (its rounded corner takes the last 2.4%) but a
// card's own border holds no edge across the line (borders are 3–7% of
// the width, and a box's edge stops at the border). One end suffices: an
// outline pieced together from a binder's lines often overshoots the cards
// at the other.
func reachesEnds(p *rgbPlane, a, b quad.Point) bool {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := math.Hypot(dx, dy)
	if l < 16 {
		return true
	}
	nx, ny := -dy/l, dx/l
	const n = 5
	for _, end := range [2]float64{0, 1} {
		hits := 0
		for k := 0; k < n; k++ {
			t := 0.015 + 0.03*float64(k)/(n-1)
			if end == 1 {
				t = 1 - t
			}
			px, py := a.X+t*dx, a.Y+t*dy
			for s := -2; s <= 2; s++ {
				gx, gy := p.gradient(px+float64(s)*nx, py+float64(s)*ny)
				across := gx*nx + gy*ny
				if across*across >= 0.5*(gx*gx+gy*gy) && math.Abs(across) >= supportThreshold {
					hits++
					break
				}
			}
		}
		if hits >= 3 {
			return true
		}
	}
	return false
}
