package quad

import (
	"math"
	"sort"
)

// Area returns the absolute area of a simple polygon.
func Area(poly []Point) float64 { return math.Abs(signedArea(poly)) }

// signedArea is positive for polygons that are clockwise on screen (y down).
func signedArea(poly []Point) float64 {
	s := 0.0
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		s += a.X*b.Y - b.X*a.Y
	}
	return s / 2
}

// Convex reports whether q is a strictly convex quadrilateral (either
// orientation).
func Convex(q [4]Point) bool {
	sign := 0.0
	for i := 0; i < 4; i++ {
		a, b, c := q[i], q[(i+1)%4], q[(i+2)%4]
		cr := (b.X-a.X)*(c.Y-b.Y) - (b.Y-a.Y)*(c.X-b.X)
		if cr == 0 || math.IsNaN(cr) {
			return false
		}
		if sign == 0 {
			sign = cr
		} else if (cr > 0) != (sign > 0) {
			return false
		}
	}
	return true
}

// Order returns the corners of a convex quadrilateral clockwise on screen,
// starting with the corner that is top-left in the image: of the two
// corners with the smallest y (+ a little x, so that a diamond still has a
// stable start) the one more to the left.
func Order(q [4]Point) [4]Point {
	cx, cy := 0.0, 0.0
	for _, p := range q {
		cx += p.X / 4
		cy += p.Y / 4
	}
	pts := q
	// Clockwise on screen = increasing atan2 with y down.
	sort.Slice(pts[:], func(i, j int) bool {
		return math.Atan2(pts[i].Y-cy, pts[i].X-cx) < math.Atan2(pts[j].Y-cy, pts[j].X-cx)
	})
	best, bestKey := 0, math.Inf(1)
	for i, p := range pts {
		if k := p.X + p.Y; k < bestKey {
			best, bestKey = i, k
		}
	}
	var out [4]Point
	for i := range out {
		out[i] = pts[(best+i)%4]
	}
	return out
}

// Shift returns q rotated so that q[k] comes first (order kept).
func Shift(q [4]Point, k int) [4]Point {
	var out [4]Point
	for i := range out {
		out[i] = q[((i+k)%4+4)%4]
	}
	return out
}

// clip returns the part of polygon subject inside the convex polygon clip
// (Sutherland–Hodgman); both must be clockwise on screen.
func clip(subject, clipPoly []Point) []Point {
	out := subject
	for i := range clipPoly {
		if len(out) == 0 {
			break
		}
		a, b := clipPoly[i], clipPoly[(i+1)%len(clipPoly)]
		inside := func(p Point) bool { return (b.X-a.X)*(p.Y-a.Y)-(b.Y-a.Y)*(p.X-a.X) >= 0 }
		in := out
		out = make([]Point, 0, len(in)+2)
		for j := range in {
			p, q := in[j], in[(j+1)%len(in)]
			pin, qin := inside(p), inside(q)
			if pin {
				out = append(out, p)
			}
			if pin != qin {
				out = append(out, intersect(p, q, a, b))
			}
		}
	}
	return out
}

func intersect(p, q, a, b Point) Point {
	d1x, d1y := q.X-p.X, q.Y-p.Y
	d2x, d2y := b.X-a.X, b.Y-a.Y
	den := d1x*d2y - d1y*d2x
	if den == 0 {
		return p
	}
	t := ((a.X-p.X)*d2y - (a.Y-p.Y)*d2x) / den
	return Point{X: p.X + t*d1x, Y: p.Y + t*d1y}
}

func clockwise(q [4]Point) []Point {
	s := q[:]
	if signedArea(s) < 0 {
		return []Point{q[0], q[3], q[2], q[1]}
	}
	return []Point{q[0], q[1], q[2], q[3]}
}

// Intersection returns the area shared by two convex quadrilaterals.
func Intersection(a, b [4]Point) float64 {
	return Area(clip(clockwise(a), clockwise(b)))
}

// IoU returns the intersection over union of two convex quadrilaterals.
func IoU(a, b [4]Point) float64 {
	in := Intersection(a, b)
	u := Area(a[:]) + Area(b[:]) - in
	if u <= 0 {
		return 0
	}
	return in / u
}

// Dist returns the Euclidean distance between two points.
func Dist(a, b Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// Diagonal returns the mean diagonal length of q.
func Diagonal(q [4]Point) float64 { return (Dist(q[0], q[2]) + Dist(q[1], q[3])) / 2 }

// CornerError returns the mean distance between corresponding corners of
// got and want, minimised over the four cyclic shifts of got (so that a
// detection that starts at another corner still matches), and that shift.
func CornerError(got, want [4]Point) (float64, int) {
	best, bestK := math.Inf(1), 0
	for k := 0; k < 4; k++ {
		s := 0.0
		for i := 0; i < 4; i++ {
			s += Dist(got[(i+k)%4], want[i])
		}
		if s/4 < best {
			best, bestK = s/4, k
		}
	}
	return best, bestK
}
