// Package quad holds the plane geometry shared by the recogniser stages:
// homographies between quadrilaterals, polygon area and overlap, corner
// ordering and the true aspect ratio of a rectangle seen in perspective.
// It is pure Go and allocation-light so that synthesis, detection and
// quality assessment agree on one implementation.
package quad

import (
	"math"

	"github.com/collectorstash/csm/catalog"
)

// Point is a position in image pixels.
type Point = catalog.Point

// H is a 3×3 homography in row-major order, mapping (x, y, 1) to
// (H0 x + H1 y + H2, H3 x + H4 y + H5, H6 x + H7 y + H8) up to scale.
type H [9]float64

// Identity is the identity homography.
var Identity = H{1, 0, 0, 0, 1, 0, 0, 0, 1}

// Apply maps p through h.
func (h H) Apply(p Point) Point {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	return Point{X: (h[0]*p.X + h[1]*p.Y + h[2]) / w, Y: (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}

// Mul returns the composition h·g (apply g first, then h).
func (h H) Mul(g H) H {
	var r H
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			r[3*i+j] = h[3*i]*g[j] + h[3*i+1]*g[3+j] + h[3*i+2]*g[6+j]
		}
	}
	return r
}

// Inverse returns h⁻¹, or false when h is singular.
func (h H) Inverse() (H, bool) {
	a, b, c, d, e, f, g, k, l := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
	A := e*l - f*k
	B := -(d*l - f*g)
	C := d*k - e*g
	det := a*A + b*B + c*C
	if det == 0 || math.IsNaN(det) || math.IsInf(det, 0) {
		return H{}, false
	}
	inv := H{
		A, -(b*l - c*k), b*f - c*e,
		B, a*l - c*g, -(a*f - c*d),
		C, -(a*k - b*g), a*e - b*d,
	}
	for i := range inv {
		inv[i] /= det
	}
	return inv, true
}

// FromPoints returns the homography mapping src[i] to dst[i], or false when
// the points are degenerate (three collinear).
func FromPoints(src, dst [4]Point) (H, bool) {
	// Solve the 8×8 DLT system with h8 = 1 by Gaussian elimination.
	var m [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := src[i].X, src[i].Y, dst[i].X, dst[i].Y
		m[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		m[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for col := 0; col < 8; col++ {
		piv := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[piv][col]) {
				piv = r
			}
		}
		if math.Abs(m[piv][col]) < 1e-12 {
			return H{}, false
		}
		m[col], m[piv] = m[piv], m[col]
		for r := 0; r < 8; r++ {
			if r == col {
				continue
			}
			f := m[r][col] / m[col][col]
			if f == 0 {
				continue
			}
			for c := col; c < 9; c++ {
				m[r][c] -= f * m[col][c]
			}
		}
	}
	var h H
	for i := 0; i < 8; i++ {
		h[i] = m[i][8] / m[i][i]
	}
	h[8] = 1
	for _, v := range h {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return H{}, false
		}
	}
	return h, true
}

// Rect returns the corners of a w×h rectangle at the origin, clockwise from
// the top-left, in the order Detection.Corners uses.
func Rect(w, h float64) [4]Point {
	return [4]Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}}
}
