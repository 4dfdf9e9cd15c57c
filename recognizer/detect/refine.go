package detect

import (
	"math"
	"sort"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// refine moves each side of q (full-resolution pixels) onto the strongest
// gradient across it within a few pixels, fits a line to those edge points
// robustly (so fingers, glare and rounded corners do not pull it), and
// returns the intersections of neighbouring lines. A side with too little
// edge evidence keeps its line; a corner that would move implausibly far
// stays where it was.
func refine(p *rgbPlane, q [4]quad.Point) [4]quad.Point {
	diag := quad.Diagonal(q)
	reach := math.Max(4, 0.012*diag)
	var lines [4]line
	for i := 0; i < 4; i++ {
		a, b := q[i], q[(i+1)%4]
		if l, ok := fitSide(p, a, b, reach); ok {
			lines[i] = l
		} else {
			lines[i] = lineThrough(a, b)
		}
	}
	out := q
	for i := 0; i < 4; i++ {
		prev, cur := lines[(i+3)%4], lines[i]
		c, ok := quad.LineIntersect(prev.a, prev.b, cur.a, cur.b)
		if ok && quad.Dist(c, q[i]) < math.Max(6, 0.06*diag) {
			out[i] = c
		}
	}
	if !quad.Convex(out) {
		return q
	}
	return out
}

type line struct{ a, b quad.Point }

func lineThrough(a, b quad.Point) line { return line{a, b} }

// fitSide finds edge points across the side a→b and fits a line to them.
func fitSide(p *rgbPlane, a, b quad.Point, reach float64) (line, bool) {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := math.Hypot(dx, dy)
	if l < 8 {
		return line{}, false
	}
	nx, ny := -dy/l, dx/l
	n := min(120, max(12, int(l/3)))
	steps := int(math.Ceil(reach))
	mags := make([]float64, 2*steps+1)
	var pts []quad.Point
	for k := 0; k < n; k++ {
		t := 0.1 + 0.8*(float64(k)+0.5)/float64(n)
		px, py := a.X+t*dx, a.Y+t*dy
		best, bi := 0.0, -1
		for s := -steps; s <= steps; s++ {
			gx, gy := p.gradient(px+float64(s)*nx, py+float64(s)*ny)
			m := math.Abs(gx*nx + gy*ny)
			mags[s+steps] = m
			if m > best {
				best, bi = m, s+steps
			}
		}
		if best < supportThreshold || bi <= 0 || bi >= len(mags)-1 {
			continue
		}
		// Sub-pixel peak by a parabola through the neighbours.
		l0, c, r := mags[bi-1], mags[bi], mags[bi+1]
		off := 0.0
		if den := l0 - 2*c + r; den < 0 {
			off = 0.5 * (l0 - r) / den
		}
		s := float64(bi-steps) + off
		pts = append(pts, quad.Point{X: px + s*nx, Y: py + s*ny})
	}
	if len(pts) < max(6, n/4) {
		return line{}, false
	}
	return robustLine(pts)
}

// robustLine fits a total-least-squares line, then refits twice on the
// points within 2.5 robust sigmas (at least one pixel) of it.
func robustLine(pts []quad.Point) (line, bool) {
	use := pts
	var ln line
	for iter := 0; iter < 3; iter++ {
		var ok bool
		ln, ok = tls(use)
		if !ok {
			return line{}, false
		}
		res := make([]float64, len(pts))
		for i, p := range pts {
			res[i] = distToLine(p, ln)
		}
		sorted := append([]float64(nil), res...)
		sort.Float64s(sorted)
		tol := math.Max(1, 2.5*1.4826*sorted[len(sorted)/2])
		var next []quad.Point
		for i, p := range pts {
			if res[i] <= tol {
				next = append(next, p)
			}
		}
		if len(next) < 4 {
			break
		}
		use = next
	}
	return ln, true
}

// tls fits the line through the centroid along the principal direction.
func tls(pts []quad.Point) (line, bool) {
	if len(pts) < 2 {
		return line{}, false
	}
	var mx, my float64
	for _, p := range pts {
		mx += p.X
		my += p.Y
	}
	mx /= float64(len(pts))
	my /= float64(len(pts))
	var sxx, sxy, syy float64
	for _, p := range pts {
		x, y := p.X-mx, p.Y-my
		sxx += x * x
		sxy += x * y
		syy += y * y
	}
	th := 0.5 * math.Atan2(2*sxy, sxx-syy)
	dx, dy := math.Cos(th), math.Sin(th)
	if math.IsNaN(th) {
		return line{}, false
	}
	return line{quad.Point{X: mx, Y: my}, quad.Point{X: mx + dx, Y: my + dy}}, true
}

func distToLine(p quad.Point, l line) float64 {
	dx, dy := l.b.X-l.a.X, l.b.Y-l.a.Y
	n := math.Hypot(dx, dy)
	return math.Abs((p.X-l.a.X)*dy-(p.Y-l.a.Y)*dx) / n
}
