package quad

import (
	"math"
	"sort"
)

// Hull returns the convex hull of pts, clockwise on screen (y down),
// without collinear points (Andrew's monotone chain).
func Hull(pts []Point) []Point {
	if len(pts) < 3 {
		return append([]Point(nil), pts...)
	}
	p := append([]Point(nil), pts...)
	sort.Slice(p, func(i, j int) bool {
		if p[i].X != p[j].X {
			return p[i].X < p[j].X
		}
		return p[i].Y < p[j].Y
	})
	cross := func(o, a, b Point) float64 { return (a.X-o.X)*(b.Y-o.Y) - (a.Y-o.Y)*(b.X-o.X) }
	h := make([]Point, 0, 2*len(p))
	for _, q := range p { // lower hull
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	lo := len(h) + 1
	for i := len(p) - 2; i >= 0; i-- { // upper hull
		q := p[i]
		for len(h) >= lo && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, q)
	}
	h = h[:len(h)-1]
	// The chain is counter-clockwise in y-up terms, i.e. clockwise on
	// screen only after flipping; make it clockwise on screen.
	if signedArea(h) < 0 {
		for i, j := 0, len(h)-1; i < j; i, j = i+1, j-1 {
			h[i], h[j] = h[j], h[i]
		}
	}
	return h
}

// Perimeter returns the perimeter of a closed polygon.
func Perimeter(poly []Point) float64 {
	s := 0.0
	for i := range poly {
		s += Dist(poly[i], poly[(i+1)%len(poly)])
	}
	return s
}

// Simplify reduces a closed polygon with the Douglas–Peucker algorithm at
// tolerance eps, starting from its two mutually farthest-apart vertices
// (found approximately) so the result does not depend on where the polygon
// starts.
func Simplify(poly []Point, eps float64) []Point {
	n := len(poly)
	if n <= 4 {
		return append([]Point(nil), poly...)
	}
	// Farthest vertex from vertex 0, then farthest from that.
	a := 0
	for k := 0; k < 2; k++ {
		best, bd := a, -1.0
		for i, p := range poly {
			if d := Dist(p, poly[a]); d > bd {
				best, bd = i, d
			}
		}
		a = best
	}
	b, bd := a, -1.0
	for i, p := range poly {
		if d := Dist(p, poly[a]); d > bd {
			b, bd = i, d
		}
	}
	keep := make([]bool, n)
	keep[a], keep[b] = true, true
	dp(poly, a, b, eps, keep)
	dp(poly, b, a, eps, keep)
	out := make([]Point, 0, 8)
	for i := 0; i < n; i++ {
		if keep[i] {
			out = append(out, poly[i])
		}
	}
	return out
}

// dp keeps, between indices i and j (cyclic, exclusive), the vertices that
// Douglas–Peucker needs at tolerance eps.
func dp(poly []Point, i, j int, eps float64, keep []bool) {
	n := len(poly)
	a, b := poly[i], poly[j]
	l := Dist(a, b)
	best, bd := -1, eps
	for k := (i + 1) % n; k != j; k = (k + 1) % n {
		var d float64
		if l == 0 {
			d = Dist(poly[k], a)
		} else {
			d = math.Abs((b.X-a.X)*(a.Y-poly[k].Y)-(a.X-poly[k].X)*(b.Y-a.Y)) / l
		}
		if d > bd {
			best, bd = k, d
		}
	}
	if best < 0 {
		return
	}
	keep[best] = true
	dp(poly, i, best, eps, keep)
	dp(poly, best, j, eps, keep)
}

// LineIntersect returns the intersection of the infinite lines through
// (a, b) and (c, d), or false when they are (nearly) parallel.
func LineIntersect(a, b, c, d Point) (Point, bool) {
	d1x, d1y := b.X-a.X, b.Y-a.Y
	d2x, d2y := d.X-c.X, d.Y-c.Y
	den := d1x*d2y - d1y*d2x
	if math.Abs(den) < 1e-9*math.Hypot(d1x, d1y)*math.Hypot(d2x, d2y) || den == 0 {
		return Point{}, false
	}
	t := ((c.X-a.X)*d2y - (c.Y-a.Y)*d2x) / den
	return Point{X: a.X + t*d1x, Y: a.Y + t*d1y}, true
}

// FourSides reduces a convex polygon (clockwise) to a quadrilateral by
// keeping its four longest edges and intersecting the lines through
// neighbouring ones: this recovers sharp corners from rounded or clipped
// ones. It returns false when the result is not a convex quad.
func FourSides(poly []Point) ([4]Point, bool) {
	n := len(poly)
	if n < 4 {
		return [4]Point{}, false
	}
	if n == 4 {
		q := [4]Point{poly[0], poly[1], poly[2], poly[3]}
		return q, Convex(q)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool {
		return Dist(poly[idx[i]], poly[(idx[i]+1)%n]) > Dist(poly[idx[j]], poly[(idx[j]+1)%n])
	})
	e := idx[:4]
	sort.Ints(e)
	var q [4]Point
	for k := 0; k < 4; k++ {
		i, j := e[k], e[(k+1)%4]
		p, ok := LineIntersect(poly[i], poly[(i+1)%n], poly[j], poly[(j+1)%n])
		if !ok {
			return [4]Point{}, false
		}
		q[(k+1)%4] = p
	}
	return q, Convex(q)
}
