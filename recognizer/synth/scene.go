package synth

import (
	"math"
	"math/rand/v2"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// placement maps a card's pixel rectangle (w×h) to the scene plane: scaled
// by s (x additionally by stretch), rotated clockwise by deg about its
// centre and centred at (cx, cy).
func placement(w, h, s, stretch, deg, cx, cy float64) quad.H {
	th := deg * math.Pi / 180
	cs, sn := math.Cos(th), math.Sin(th)
	sx, sy := s*stretch, s
	// p' = R·diag(sx, sy)·(p - centre) + (cx, cy)
	return quad.H{
		cs * sx, -sn * sy, cx - cs*sx*w/2 + sn*sy*h/2,
		sn * sx, cs * sy, cy - sn*sx*w/2 - cs*sy*h/2,
		0, 0, 1,
	}
}

// tiltView maps the scene plane (a fronto-parallel W×H view) to the photo
// of the plane tilted by deg about an in-plane axis at angle dir through
// the frame centre, seen by a pinhole camera of focal length f pixels at
// distance f (so an untilted plane maps to itself).
func tiltView(W, H, deg, dir, f float64) quad.H {
	cx, cy := W/2, H/2
	a := deg * math.Pi / 180
	ux, uy := math.Cos(dir), math.Sin(dir) // rotation axis in the plane
	c, s := math.Cos(a), math.Sin(a)
	// Rodrigues: columns r1 = R·e_x, r2 = R·e_y.
	r := func(i, j int) float64 {
		u := [3]float64{ux, uy, 0}
		k := [3][3]float64{{0, -u[2], u[1]}, {u[2], 0, -u[0]}, {-u[1], u[0], 0}}
		id := 0.0
		if i == j {
			id = 1
		}
		kk := 0.0
		for m := 0; m < 3; m++ {
			kk += k[i][m] * k[m][j]
		}
		return id + s*k[i][j] + (1-c)*kk
	}
	// [X', Y', Z'+f] = [r1 r2 (0,0,f)]·(x-cx, y-cy, 1)
	m := quad.H{
		r(0, 0), r(0, 1), 0,
		r(1, 0), r(1, 1), 0,
		r(2, 0), r(2, 1), f,
	}
	k := quad.H{f, 0, cx, 0, f, cy, 0, 0, 1}
	t := quad.H{1, 0, -cx, 0, 1, -cy, 0, 0, 1}
	return k.Mul(m).Mul(t)
}

// fitFrame returns the similarity that scales pts (about their bounding
// box centre) to fit inside the W×H frame with a margin, never enlarging,
// and moves them to a random position where they still fit (centred when
// random is false).
func fitFrame(pts []quad.Point, W, H, margin float64, rng *rand.Rand, random bool) quad.H {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	bw, bh := maxX-minX, maxY-minY
	s := math.Min(1, math.Min((W-2*margin)/bw, (H-2*margin)/bh))
	bw, bh = bw*s, bh*s
	// Target top-left of the bounding box.
	tx, ty := (W-bw)/2, (H-bh)/2
	if random {
		tx = margin + rng.Float64()*math.Max(0, W-2*margin-bw)
		ty = margin + rng.Float64()*math.Max(0, H-2*margin-bh)
	}
	return quad.H{s, 0, tx - s*minX, 0, s, ty - s*minY, 0, 0, 1}
}

// focal is the synthetic camera's focal length in pixels: about a 70°
// horizontal field of view, as a phone's main camera.
func focal(W, H float64) float64 { return 0.75 * math.Max(W, H) }

// project returns h applied to the corners of a w×h rectangle.
func project(h quad.H, w, hgt float64) [4]quad.Point {
	var q [4]quad.Point
	for i, p := range quad.Rect(w, hgt) {
		q[i] = h.Apply(p)
	}
	return q
}
