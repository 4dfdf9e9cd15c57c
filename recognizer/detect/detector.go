// Package detect finds trading cards in phone photos with OpenCV (GoCV) and
// warps each to a canonical upright image.
//
// Detection combines several cues, because no single one survives every
// photo. Outline cues: Canny edges at two blur levels (strong and weak
// edges), colour Canny (edges between colours of similar brightness), Otsu
// and adaptive thresholds (card regions against plain surfaces); every
// outline found in any of them becomes candidate quadrilaterals through its
// convex hull (an edge broken by glare still closes), Douglas–Peucker
// simplification and the intersection of its four longest sides (rounded
// corners), or, when the hull is spoiled by a finger or a touching object,
// through four of its longest straight runs. A line cue adds quads built
// from Hough line segments over the whole photo: in a binder page every
// card's outline joins its neighbours' into one grid that no contour
// separates. A candidate is kept when it is convex, of reasonable size, of
// card proportions once perspective is undone (quad.Aspect), not two cards
// side by side (a straight edge across its middle), and when its four
// sides lie on straight, consistent image edges (see sideSupport). Among
// overlapping candidates the best supported, most card-shaped wins; an
// outline holding several cards (a binder page is itself card-shaped) and
// a quad inside a card are dropped; the survivors' sides are refitted to
// the gradient at full resolution.
package detect

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"math"
	"sort"
	"time"

	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// Canonical size of a rectified card, portrait, in pixels (63:90, between
// the 59×86 mm of Yu-Gi-Oh! and 63×88 mm of most other games).
const (
	CanonicalW = 420
	CanonicalH = 600
)

// Defaults of Detector's tunables.
const (
	// DefaultWorkSize is the long side, in pixels, at which candidates are
	// searched; refinement then uses the full photo.
	DefaultWorkSize = 800
	// DefaultMinArea is the smallest card, as a fraction of the photo:
	// a card in a 3×3 binder page filling the frame is about 6%, a loose
	// card at arm's length about 1%.
	DefaultMinArea = 0.004
	// DefaultMinScore is the least outline support (0..1) for a detection.
	DefaultMinScore = 0.7
)

// Aspect limits (short/long side of the card itself, after undoing
// perspective): cards are 0.686 (Yu-Gi-Oh!) to 0.716 (Pokémon, Magic);
// the margin absorbs corner noise and the focal-length guess.
const (
	minAspect = 0.60
	maxAspect = 0.80
	cardRatio = 0.70
)

// Detector finds and rectifies cards. The zero value is ready to use with
// the defaults; it is safe for concurrent use.
type Detector struct {
	// WorkSize overrides DefaultWorkSize.
	WorkSize int
	// MinArea overrides DefaultMinArea.
	MinArea float64
	// MinScore overrides DefaultMinScore.
	MinScore float64
}

var _ catalog.Detector = (*Detector)(nil)

// New returns a Detector with the defaults.
func New() *Detector { return &Detector{} }

func (d *Detector) workSize() int {
	if d == nil || d.WorkSize <= 0 {
		return DefaultWorkSize
	}
	return d.WorkSize
}

func (d *Detector) minArea() float64 {
	if d == nil || d.MinArea <= 0 {
		return DefaultMinArea
	}
	return d.MinArea
}

func (d *Detector) minScore() float64 {
	if d == nil || d.MinScore <= 0 {
		return DefaultMinScore
	}
	return d.MinScore
}

// candidate is a quadrilateral under consideration, in work pixels until
// refined.
type candidate struct {
	q      [4]quad.Point
	area   float64
	score  float64 // outline support, 0..1
	aspect float64 // estimated true short/long ratio
	cue    string
}

// rank orders overlapping candidates: support, weighted towards card
// proportions, so that of a card and a card-like part of it (header and
// artwork, artwork and pocket) the whole card wins.
func (c candidate) rank() float64 {
	d := (c.aspect - cardRatio) / 0.04
	return c.score * (0.6 + 0.4*math.Exp(-d*d))
}

// Detect returns every card found in img, in reading order (rows top to
// bottom, then left to right), with corners in img's pixel coordinates,
// clockwise from the corner that is top-left in the photo. Which corner is
// the card's own top-left is settled by Rectify.
func (d *Detector) Detect(ctx context.Context, img *image.RGBA) ([]catalog.Detection, error) {
	start := time.Now()
	found, n, err := d.detect(ctx, img)
	if err != nil {
		return nil, err
	}
	out := make([]catalog.Detection, len(found))
	for i, c := range found {
		out[i] = c.Detection
	}
	slog.Debug("detect", "cards", len(out), "candidates", n, "ms", time.Since(start).Milliseconds())
	return out, nil
}

// found is a detection with the cue that produced it, for tests.
type found struct {
	catalog.Detection
	cue string
}

// detect returns the detections in reading order and the number of
// candidates considered.
func (d *Detector) detect(ctx context.Context, img *image.RGBA) ([]found, int, error) {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	if W < 16 || H < 16 {
		return nil, 0, nil
	}
	full, err := matFromRGBA(img)
	if err != nil {
		return nil, 0, err
	}
	defer full.Close()

	scale := math.Min(1, float64(d.workSize())/float64(max(W, H)))
	work := gocv.NewMat()
	defer work.Close()
	if scale < 1 {
		gocv.Resize(full, &work, image.Pt(int(float64(W)*scale+0.5), int(float64(H)*scale+0.5)), 0, 0, gocv.InterpolationArea)
	} else {
		full.CopyTo(&work)
	}
	ws := newWorkset(work)
	defer ws.close()

	cands, err := d.candidates(ctx, ws)
	if err != nil {
		return nil, 0, err
	}
	kept := suppress(cands)
	fullPlane := planeOf(img)
	out := make([]found, 0, len(kept))
	for _, c := range kept {
		var q [4]quad.Point
		for i, p := range c.q {
			q[i] = quad.Point{X: p.X / scale, Y: p.Y / scale}
		}
		q = quad.Order(refine(fullPlane, q))
		out = append(out, found{catalog.Detection{
			Corners:      q,
			Score:        c.score,
			AreaFraction: quad.Area(q[:]) / float64(W*H),
		}, c.cue})
	}
	readingOrder(out)
	return out, len(cands), nil
}

// candidates runs every cue and collects scored quadrilaterals.
func (d *Detector) candidates(ctx context.Context, ws *workset) ([]candidate, error) {
	var all []candidate
	frame := float64(ws.w * ws.h)
	minArea, maxArea := d.minArea()*frame, 0.97*frame
	// The shortest straight run worth a line: a third of the smallest
	// card's short side.
	minSide := math.Sqrt(minArea*cardRatio) / 3
	// The longest: a card filling 90% of the frame's short side; longer
	// runs are table edges, seams and shelves.
	maxSide := 0.9 * float64(min(ws.w, ws.h))
	for _, cue := range ws.cues() {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("detect: %w", err)
		}
		m := cue.make()
		contours := gocv.FindContours(m, gocv.RetrievalList, gocv.ChainApproxSimple)
		m.Close()
		for i := 0; i < contours.Size(); i++ {
			pv := contours.At(i)
			if pv.Size() < 4 {
				continue
			}
			// A card's outline is at least the perimeter of the smallest
			// card allowed: 2(w+h) ≈ 3.4·√area for card proportions.
			if gocv.ArcLength(pv, true) < 3.4*math.Sqrt(minArea) {
				continue
			}
			pts := toPoints(pv)
			found := false
			consider := func(q [4]quad.Point, how string) {
				a := quad.Area(q[:])
				if a < minArea || a > maxArea {
					return
				}
				asp, ok := plausible(q, ws.w, ws.h)
				if !ok {
					return
				}
				c := candidate{q: q, area: a, aspect: asp, cue: cue.name + how}
				if c.score = ws.support(q); c.score >= d.minScore() && !ws.split(q) {
					all = append(all, c)
					found = true
				}
			}
			for _, q := range quadsFrom(pts) {
				consider(q, "")
			}
			if !found {
				for _, q := range quadsFromLines(pts, minSide, maxSide) {
					consider(q, "/lines")
				}
			}
		}
		contours.Close()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	edges := gocv.NewMat()
	defer edges.Close()
	gocv.Canny(ws.blur5, &edges, 30, 90)
	maxCardSide := math.Sqrt(maxArea / cardRatio)
	for _, q := range houghQuads(edges, 3*minSide, maxCardSide) {
		a := quad.Area(q[:])
		if a < minArea || a > maxArea {
			continue
		}
		asp, ok := plausible(q, ws.w, ws.h)
		if !ok {
			continue
		}
		c := candidate{q: q, area: a, aspect: asp, cue: "hough"}
		if c.score = ws.support(q); c.score >= d.minScore() && !ws.split(q) {
			all = append(all, c)
		}
	}
	return all, nil
}

// toPoints converts a contour to pixel-centre coordinates.
func toPoints(pv gocv.PointVector) []quad.Point {
	n := pv.Size()
	out := make([]quad.Point, n)
	for i := 0; i < n; i++ {
		p := pv.At(i)
		out[i] = quad.Point{X: float64(p.X) + 0.5, Y: float64(p.Y) + 0.5}
	}
	return out
}

// quadsFrom turns one outline into candidate quadrilaterals: its convex
// hull simplified at growing tolerances until four vertices remain, and the
// four-longest-sides quad of a finer simplification.
func quadsFrom(pts []quad.Point) [][4]quad.Point {
	hull := quad.Hull(pts)
	if len(hull) < 4 {
		return nil
	}
	per := quad.Perimeter(hull)
	var out [][4]quad.Point
	for _, k := range []float64{0.02, 0.035, 0.05} {
		s := quad.Simplify(hull, k*per)
		if len(s) == 4 {
			q := [4]quad.Point{s[0], s[1], s[2], s[3]}
			if quad.Convex(q) {
				out = append(out, q)
			}
			break
		}
		if len(s) < 4 {
			break
		}
	}
	if s := quad.Simplify(hull, 0.006*per); len(s) > 4 {
		if q, ok := quad.FourSides(s); ok {
			// The longest sides of a hull that is not a card can meet far
			// away; such a quad must stay close to the hull.
			if ha := quad.Area(hull); quad.Area(q[:]) < 1.12*ha {
				out = append(out, q)
			}
		}
	}
	return out
}

// plausible checks shape: convex, corners between 45° and 135°, and card
// proportions once perspective is undone.
func plausible(q [4]quad.Point, w, h int) (float64, bool) {
	if !quad.Convex(q) {
		return 0, false
	}
	for i := 0; i < 4; i++ {
		a, b, c := q[(i+3)%4], q[i], q[(i+1)%4]
		v1x, v1y := a.X-b.X, a.Y-b.Y
		v2x, v2y := c.X-b.X, c.Y-b.Y
		cos := (v1x*v2x + v1y*v2y) / (math.Hypot(v1x, v1y) * math.Hypot(v2x, v2y))
		if math.Abs(cos) > 0.71 {
			return 0, false
		}
	}
	r := quad.Aspect(q, float64(w)/2, float64(h)/2, 0.8*float64(max(w, h)))
	return r, r >= minAspect && r <= maxAspect
}

// suppress reduces the candidates to one quad per card: of quads
// overlapping by IoU > 0.5 (one card found by several cues, or a card and
// its sleeve) the best ranked is kept, preferring the larger of near-ties;
// then a quad that contains two or more others (a binder page or a stack)
// is dropped, and finally a quad inside another (a card's own frame or box
// of card proportions) is dropped.
func suppress(cands []candidate) []candidate {
	sort.SliceStable(cands, func(i, j int) bool {
		ri, rj := cands[i].rank(), cands[j].rank()
		if math.Abs(ri-rj) > 0.02 {
			return ri > rj
		}
		return cands[i].area > cands[j].area
	})
	var kept []candidate
	for _, c := range cands {
		dup := false
		for _, k := range kept {
			if quad.IoU(c.q, k.q) > 0.5 {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, c)
		}
	}
	contains := func(big, small candidate) bool {
		return small.area < big.area && quad.Intersection(big.q, small.q) > 0.8*small.area
	}
	var out []candidate
	for i, c := range kept {
		inside := 0
		for j, o := range kept {
			if i != j && contains(c, o) {
				inside++
			}
		}
		if inside < 2 {
			out = append(out, c)
		}
	}
	var final []candidate
	for i, c := range out {
		feature := false
		for j, o := range out {
			if i != j && contains(o, c) {
				feature = true
				break
			}
		}
		if !feature {
			final = append(final, c)
		}
	}
	return final
}

// readingOrder sorts detections into rows (centres within half a card
// height of the row's first card) top to bottom, then left to right.
func readingOrder(ds []found) {
	type item struct {
		d      found
		cx, cy float64
		h      float64
	}
	items := make([]item, len(ds))
	for i, d := range ds {
		c := d.Corners
		items[i] = item{d: d,
			cx: (c[0].X + c[1].X + c[2].X + c[3].X) / 4,
			cy: (c[0].Y + c[1].Y + c[2].Y + c[3].Y) / 4,
			h:  math.Sqrt(quad.Area(c[:])),
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].cy < items[j].cy })
	for start := 0; start < len(items); {
		end := start + 1
		for end < len(items) && items[end].cy-items[start].cy < 0.5*items[start].h {
			end++
		}
		row := items[start:end]
		sort.SliceStable(row, func(i, j int) bool { return row[i].cx < row[j].cx })
		start = end
	}
	for i := range items {
		ds[i] = items[i].d
	}
}
