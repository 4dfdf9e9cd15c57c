package main

import (
	"math"

	"github.com/collectorstash/csm/catalog"
)

// IoU is the intersection over union of two convex quadrilaterals (a small
// copy of recognizer/internal/quad's, which commands cannot import):
// Sutherland–Hodgman clipping of one by the other, both made clockwise.
func IoU(a, b [4]catalog.Point) float64 {
	pa, pb := clockwise(a), clockwise(b)
	inter := area(clip(pa, pb))
	union := area(pa) + area(pb) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

func signedArea(p []catalog.Point) float64 {
	var s float64
	for i := range p {
		j := (i + 1) % len(p)
		s += p[i].X*p[j].Y - p[j].X*p[i].Y
	}
	return s / 2
}

func area(p []catalog.Point) float64 { return math.Abs(signedArea(p)) }

// clockwise returns q with positive signed area in image coordinates
// (y down: clockwise on screen).
func clockwise(q [4]catalog.Point) []catalog.Point {
	p := q[:]
	if signedArea(p) < 0 {
		return []catalog.Point{q[3], q[2], q[1], q[0]}
	}
	return append([]catalog.Point(nil), p...)
}

// clip keeps the part of subject inside the convex clipper (both with
// positive signed area).
func clip(subject, clipper []catalog.Point) []catalog.Point {
	out := subject
	for i := range clipper {
		a, b := clipper[i], clipper[(i+1)%len(clipper)]
		in := out
		out = nil
		if len(in) == 0 {
			break
		}
		inside := func(p catalog.Point) bool { return (b.X-a.X)*(p.Y-a.Y)-(b.Y-a.Y)*(p.X-a.X) >= 0 }
		s := in[len(in)-1]
		for _, e := range in {
			if inside(e) {
				if !inside(s) {
					out = append(out, cross(s, e, a, b))
				}
				out = append(out, e)
			} else if inside(s) {
				out = append(out, cross(s, e, a, b))
			}
			s = e
		}
	}
	return out
}

// cross is where segment p–q meets the line a–b.
func cross(p, q, a, b catalog.Point) catalog.Point {
	d := (p.X-q.X)*(a.Y-b.Y) - (p.Y-q.Y)*(a.X-b.X)
	if d == 0 {
		return q
	}
	t := ((p.X-a.X)*(a.Y-b.Y) - (p.Y-a.Y)*(a.X-b.X)) / d
	return catalog.Point{X: p.X + t*(q.X-p.X), Y: p.Y + t*(q.Y-p.Y)}
}
