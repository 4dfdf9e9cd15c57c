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

// framePlacement finds where on the scene plane to put content (given by
// place(s, cx, cy), its points by pts) so that its view through the tilted
// camera lies inside the frame with a margin: a random centre (the frame
// centre when random is false), shrinking the content by 10% every few
// misses. Moving the content on the plane rather than the picture keeps
// the camera's principal point at the frame centre, as in a real photo.
func framePlacement(W, H, margin, s float64, view quad.H, random bool, rng *rand.Rand,
	place func(s, cx, cy float64) quad.H, pts func(h quad.H) []quad.Point) quad.H {
	inside := func(h quad.H) bool {
		for _, p := range pts(h) {
			if p.X < margin || p.Y < margin || p.X > W-margin || p.Y > H-margin {
				return false
			}
		}
		return true
	}
	for attempt := 0; attempt < 60; attempt++ {
		cx, cy := W/2, H/2
		if random {
			cx = W * (0.15 + 0.7*rng.Float64())
			cy = H * (0.15 + 0.7*rng.Float64())
		}
		// Centred tries first at each size, so the loop ends quickly.
		if attempt%6 == 5 {
			cx, cy = W/2, H/2
		}
		h := view.Mul(place(s, cx, cy))
		if inside(h) {
			return h
		}
		if attempt%6 == 5 {
			s *= 0.9
		}
	}
	return view.Mul(place(s, W/2, H/2))
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
