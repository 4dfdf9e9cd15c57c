package quad

import "math"

// Aspect estimates the true short/long side ratio of the rectangle whose
// perspective image is the quadrilateral q (clockwise from any corner), for a
// pinhole camera whose principal point is (cx, cy) and whose focal length is
// unknown, after Zhang & He, "Whiteboard scanning and image enhancement"
// (2007). The focal length is estimated from q itself; when that fails (q is
// almost a parallelogram, so perspective carries no information) or gives an
// implausible value, fallbackF (pixels) is used. The plain ratio of mean
// opposite side lengths is what a fronto-parallel view gives and what this
// converges to as perspective vanishes.
func Aspect(q [4]Point, cx, cy, fallbackF float64) float64 {
	n2, n3, ok := sideNormals(q, cx, cy)
	if !ok {
		return sideRatio(q)
	}
	f2 := fallbackF * fallbackF
	if den := n2[2] * n3[2]; math.Abs(den) > 1e-9 {
		est := -(n2[0]*n3[0] + n2[1]*n3[1]) / den
		// Accept focal lengths between 0.3× and 5× the fallback (a phone
		// camera after any crop or downscale lies well inside that).
		if est > 0.09*f2 && est < 25*f2 {
			f2 = est
		}
	}
	return ratioAt(q, n2, n3, f2)
}

// AspectAt is Aspect for a known focal length f (pixels): no estimation.
func AspectAt(q [4]Point, cx, cy, f float64) float64 {
	n2, n3, ok := sideNormals(q, cx, cy)
	if !ok {
		return sideRatio(q)
	}
	return ratioAt(q, n2, n3, f*f)
}

// sideNormals are the paper's n2 and n3 (the rectangle's two side
// directions up to the focal length); ok is false for a degenerate q.
func sideNormals(q [4]Point, cx, cy float64) (n2, n3 vec3, ok bool) {
	// m1 = TL, m2 = TR, m3 = BL, m4 = BR in the paper's notation.
	m1 := vec3{q[0].X - cx, q[0].Y - cy, 1}
	m2 := vec3{q[1].X - cx, q[1].Y - cy, 1}
	m4 := vec3{q[2].X - cx, q[2].Y - cy, 1}
	m3 := vec3{q[3].X - cx, q[3].Y - cy, 1}
	c14 := m1.cross(m4)
	d2 := m2.cross(m4).dot(m3)
	d3 := m3.cross(m4).dot(m2)
	if d2 == 0 || d3 == 0 {
		return n2, n3, false
	}
	return m2.scale(c14.dot(m3) / d2).sub(m1), m3.scale(c14.dot(m2) / d3).sub(m1), true
}

// ratioAt is short/long of the sides n2, n3 for the squared focal length
// f2, or sideRatio(q) when they do not make a rectangle.
func ratioAt(q [4]Point, n2, n3 vec3, f2 float64) float64 {
	w2 := (n2[0]*n2[0]+n2[1]*n2[1])/f2 + n2[2]*n2[2]
	h2 := (n3[0]*n3[0]+n3[1]*n3[1])/f2 + n3[2]*n3[2]
	if w2 <= 0 || h2 <= 0 || math.IsNaN(w2) || math.IsNaN(h2) {
		return sideRatio(q)
	}
	r := math.Sqrt(w2 / h2)
	if r > 1 {
		r = 1 / r
	}
	return r
}

// sideRatio is short/long of the mean opposite side lengths of q.
func sideRatio(q [4]Point) float64 {
	a := (Dist(q[0], q[1]) + Dist(q[2], q[3])) / 2
	b := (Dist(q[1], q[2]) + Dist(q[3], q[0])) / 2
	if a == 0 || b == 0 {
		return 0
	}
	return math.Min(a, b) / math.Max(a, b)
}

type vec3 [3]float64

func (a vec3) cross(b vec3) vec3 {
	return vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
func (a vec3) dot(b vec3) float64   { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func (a vec3) scale(s float64) vec3 { return vec3{a[0] * s, a[1] * s, a[2] * s} }
func (a vec3) sub(b vec3) vec3      { return vec3{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
