package detect

import (
	"math"
	"sort"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// segment is a straight run of an outline.
type segment struct {
	a, b quad.Point
	len  float64
}

// quadsFromLines finds card quadrilaterals in an outline that its convex
// hull cannot explain: a card merged with a finger, a cable or a shadow
// that touches it. The outline is simplified into straight runs, collinear
// runs are merged (a side interrupted by a finger is one line), and every
// four of the longest lines that close into a convex quad whose sides each
// overlap their run become candidates. minLen is the shortest run kept.
func quadsFromLines(pts []quad.Point, minLen, maxLen float64) [][4]quad.Point {
	poly := quad.Simplify(pts, 2)
	var segs []segment
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		if l := quad.Dist(a, b); l >= minLen && l <= maxLen {
			segs = append(segs, segment{a, b, l})
		}
	}
	segs = mergeCollinear(segs)
	if len(segs) < 4 {
		return nil
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].len > segs[j].len })
	if len(segs) > maxLines {
		segs = segs[:maxLines]
	}
	var out [][4]quad.Point
	n := len(segs)
	var pick [4]segment
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			for k := j + 1; k < n; k++ {
				for l := k + 1; l < n; l++ {
					pick = [4]segment{segs[i], segs[j], segs[k], segs[l]}
					if q, ok := closeQuad(pick); ok {
						out = append(out, q)
					}
				}
			}
		}
	}
	return out
}

// maxLines bounds the runs combined four at a time (1001 combinations).
const maxLines = 14

// mergeCollinear joins runs that lie on one line (within 5° and 4 px: the
// two borders of a dilated edge are one line),
// longest first, into a run spanning them all.
func mergeCollinear(segs []segment) []segment {
	sort.Slice(segs, func(i, j int) bool { return segs[i].len > segs[j].len })
	var out []segment
	for _, s := range segs {
		merged := false
		for i := range out {
			o := &out[i]
			if !sameLine(*o, s) {
				continue
			}
			// Extend o to cover s along o's direction.
			dx, dy := (o.b.X-o.a.X)/o.len, (o.b.Y-o.a.Y)/o.len
			t0, t1 := 0.0, o.len
			for _, p := range []quad.Point{s.a, s.b} {
				t := (p.X-o.a.X)*dx + (p.Y-o.a.Y)*dy
				t0, t1 = math.Min(t0, t), math.Max(t1, t)
			}
			a := quad.Point{X: o.a.X + t0*dx, Y: o.a.Y + t0*dy}
			b := quad.Point{X: o.a.X + t1*dx, Y: o.a.Y + t1*dy}
			*o = segment{a, b, t1 - t0}
			merged = true
			break
		}
		if !merged {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].len > out[j].len })
	return out
}

func sameLine(o, s segment) bool {
	ang := math.Abs(math.Atan2(o.b.Y-o.a.Y, o.b.X-o.a.X) - math.Atan2(s.b.Y-s.a.Y, s.b.X-s.a.X))
	for ang > math.Pi/2 {
		ang = math.Abs(ang - math.Pi)
	}
	if ang > 5*math.Pi/180 {
		return false
	}
	l := line{o.a, o.b}
	return distToLine(s.a, l) <= 4 && distToLine(s.b, l) <= 4
}

// closeQuad pairs four runs into two pairs of opposite sides (the pairing
// whose pairs are the most nearly parallel, within 25°, the pairs at least
// 40° apart), intersects them into a quad and accepts it when it is convex
// and each run covers at least a third of its side. A run may reach past
// its side: a line along a binder row serves every card in the row.
func closeQuad(s [4]segment) ([4]quad.Point, bool) {
	var ang [4]float64
	for i, g := range s {
		ang[i] = math.Atan2(g.b.Y-g.a.Y, g.b.X-g.a.X)
	}
	pairings := [3][4]int{{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}}
	best, bestDiff := -1, math.Inf(1)
	for k, pr := range pairings {
		d := math.Max(angleDiff(ang[pr[0]], ang[pr[1]]), angleDiff(ang[pr[2]], ang[pr[3]]))
		if d < bestDiff {
			best, bestDiff = k, d
		}
	}
	pr := pairings[best]
	if bestDiff > 25*math.Pi/180 || angleDiff(ang[pr[0]], ang[pr[2]]) < 40*math.Pi/180 {
		return [4]quad.Point{}, false
	}
	return quadOf(s[pr[0]], s[pr[2]], s[pr[1]], s[pr[3]])
}

// quadOf builds the quad whose sides lie on a, c, b, d in turn (a and b
// opposite, c and d opposite) and checks each run's coverage of its side.
func quadOf(a, c, b, d segment) ([4]quad.Point, bool) {
	sides := [4]segment{a, c, b, d}
	var q [4]quad.Point
	for i := 0; i < 4; i++ {
		p, ok := quad.LineIntersect(sides[i].a, sides[i].b, sides[(i+1)%4].a, sides[(i+1)%4].b)
		if !ok {
			return q, false
		}
		q[(i+1)%4] = p // corner between side i and side i+1
	}
	if !quad.Convex(q) {
		return q, false
	}
	// Side i runs from q[i] to q[i+1].
	for i := 0; i < 4; i++ {
		p0, p1 := q[i], q[(i+1)%4]
		l := quad.Dist(p0, p1)
		if l == 0 {
			return q, false
		}
		dx, dy := (p1.X-p0.X)/l, (p1.Y-p0.Y)/l
		t0 := (sides[i].a.X-p0.X)*dx + (sides[i].a.Y-p0.Y)*dy
		t1 := (sides[i].b.X-p0.X)*dx + (sides[i].b.Y-p0.Y)*dy
		lo, hi := math.Max(0, math.Min(t0, t1)), math.Min(l, math.Max(t0, t1))
		if hi-lo < l/3 {
			return q, false
		}
	}
	return quad.Order(q), true
}

// angleDiff is the angle between two undirected directions, 0..π/2.
func angleDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), math.Pi)
	return math.Min(d, math.Pi-d)
}
