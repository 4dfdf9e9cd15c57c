// Package detect finds trading cards in phone photos with OpenCV (GoCV) and
// warps each to a canonical upright image.
//
// Detection combines several cues, because no single one survives every
// photo. Outline cues: Canny edges at two blur levels (strong and weak
// edges), colour Canny (edges between colours of similar brightness), Otsu
// and adaptive thresholds (card regions against plain surfaces) and the
// distance from the surface's colour (a border of the surface's brightness
// but another hue); every outline found in any of them becomes candidate
// quadrilaterals through its convex hull (an edge broken by glare still
// closes), Douglas–Peucker simplification and the intersection of its four
// longest sides (rounded corners), or, when the hull is spoiled by a
// finger or a touching object, through four of its longest straight runs.
// A line cue adds quads built from Hough line segments over the whole
// photo: in a binder page every card's outline joins its neighbours' into
// one grid that no contour separates. A candidate is kept when it is
// convex, of reasonable size, of card proportions once perspective is
// undone (quad.Aspect), and when its four sides lie on straight,
// consistent image edges (see sideSupport). Among overlapping candidates
// the best supported, most card-shaped wins, the larger of near-ties; an
// outline of two cards side by side (split), an outline holding several
// cards (a binder page and a block of its pockets are card-shaped too) and
// a quad inside a card (its artwork or text box, often card-shaped when
// turned 90°) are dropped; the survivors' sides are refitted to the
// gradient at full resolution.
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
	kept := suppress(cands, ws.split)
	frame := float64(ws.w * ws.h)
	kept = d.splitGrids(ws, kept, cands, d.minArea()*frame)
	kept = d.completeGrid(ws, kept, d.minArea()*frame, 0.97*frame)
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
				if c, ok := d.assess(ws, q, cue.name+how, minArea, maxArea); ok {
					all = append(all, c)
					// An outline around two cards explains nothing: its
					// straight runs may still hold one of the cards.
					found = found || !ws.split(q)
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
		if c, ok := d.assess(ws, q, "hough", minArea, maxArea); ok {
			all = append(all, c)
		}
	}
	return all, nil
}

// assess scores quad q (work pixels) as a card outline: of card size and
// shape, and its sides on image edges (support). Whether it is two cards
// side by side (split) is asked of the quads that survive deduplication
// in suppress, far fewer.
func (d *Detector) assess(ws *workset, q [4]quad.Point, cue string, minArea, maxArea float64) (candidate, bool) {
	a := quad.Area(q[:])
	if a < minArea || a > maxArea {
		return candidate{}, false
	}
	asp, ok := plausible(q, ws.w, ws.h)
	if !ok {
		return candidate{}, false
	}
	c := candidate{q: q, area: a, aspect: asp, cue: cue}
	if c.score = ws.support(q); c.score < d.minScore() {
		return c, false
	}
	return c, true
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

// suppress reduces the candidates to one quad per card. Of quads
// overlapping by IoU > 0.5 (one card found by several cues, or a card and
// its sleeve) the best ranked is kept, preferring the larger of near-ties.
// A quad clearly inside another (see nested) is no duplicate, whatever the
// IoU: a card's text box can cover 60% of it. Then nesting is resolved
// (see group): an outline that directly holds two or more cards — a binder
// page, a block of its pockets, a stack — is dropped and the cards stay;
// every other quad inside a kept one is a part of that card (its artwork
// box, text box, frame, or a card-shaped patch of its artwork) and is
// dropped unless it ranks far above the outline (outerRank): the outer
// quad wins ties and near-ties. Two cards side by side never get here:
// split rejects their outline first.
func suppress(cands []candidate, split func([4]quad.Point) bool) []candidate {
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].rank() > cands[j].rank() })
	// Two cards side by side are no card (the cards themselves stay); the
	// test is costly, so it is made only of quads about to be kept.
	var kept []candidate
	var lead []float64 // the best rank of each kept quad's duplicates
	for _, c := range cands {
		dup := false
		for i, k := range kept {
			if quad.IoU(c.q, k.q) > 0.5 && !nested(c, k) {
				dup = true
				// Of near-ties the clearly larger: the card, not its
				// frame (of quads nearly alike, the better).
				if c.area > frameRatio*k.area && c.rank() >= lead[i]-nearTie && !split(c.q) {
					kept[i] = c
				}
				break
			}
		}
		if !dup && !split(c.q) {
			kept = append(kept, c)
			lead = append(lead, c.rank())
		}
	}
	var out []candidate
	for i := range kept {
		if !group(kept, i) {
			out = append(out, kept[i])
		}
	}
	drop := make([]bool, len(out))
	for i, c := range out {
		for j, o := range out {
			if i == j || !contains(o, c) {
				continue
			}
			if o.rank() >= outerRank*c.rank() {
				drop[i] = true // a part of card o
			} else {
				drop[j] = true // o is a poor outline around card c
			}
		}
	}
	// Cards do not overlap much (one that did would hide the other's
	// outline): a quad lying half on a larger, better ranked card is made
	// of that card's inner edges and lines around it.
	for i, c := range out {
		for j, o := range out {
			if i != j && !drop[j] && o.area > c.area && o.rank() > c.rank() &&
				quad.Intersection(o.q, c.q) > 0.5*c.area {
				drop[i] = true
			}
		}
	}
	var final []candidate
	for i, c := range out {
		if !drop[i] {
			final = append(final, c)
		}
	}
	return final
}

// memberRank is the least rank, relative to an outline's, of a card
// inside it that makes it a group: a page's cards are clear outlines,
// while quads pieced together from a card's own side and the edges of its
// artwork are poor ones.
const memberRank = 0.75

// nearTie is the rank difference within which the larger of two
// duplicates is kept when it is larger by frameRatio: a card's printed
// frame is a border's width inside it, 10–15% of its area.
const (
	nearTie    = 0.1
	frameRatio = 1.06
)

// outerRank is how far below a quad inside it an outline may rank and still
// be taken for the card: the outer quad wins ties and near-ties.
var outerRank = 0.8

// nested reports whether one of a and b lies inside the other and is
// clearly smaller: a card and its artwork or text box, not one card found
// twice or a card and its sleeve (which differ by a tenth in area and are
// resolved by rank).
func nested(a, b candidate) bool {
	small, big := a, b
	if small.area > big.area {
		small, big = big, small
	}
	return small.area < 0.8*big.area && contains(big, small)
}

// contains reports whether small lies (mostly) inside big.
func contains(big, small candidate) bool {
	return small.area < big.area && quad.Intersection(big.q, small.q) > 0.8*small.area
}

// group reports whether kept[i] is an outline around several cards rather
// than a card. Only the quads directly inside it count (not those inside
// another quad inside it: the patches of an artwork inside the artwork
// box), and of those only the ones that could be cards of a group: a box
// turned 90° to the outline and spanning most of its width is a card's
// artwork or text box. A group needs two such cards of similar size that
// do not overlap, one of them at the outline's edge: cards in a binder
// page sit in a narrow margin and a block of pockets is bounded by its
// cards, while a card's artwork and the boxes in it keep a border's width
// (6% and more) from the card's edge.
func group(kept []candidate, i int) bool {
	c := kept[i]
	var inner []int
	for j, o := range kept {
		if i != j && contains(c, o) {
			inner = append(inner, j)
		}
	}
	if len(inner) < 2 {
		return false
	}
	// c's own frame: u across its first side, v down its second.
	cq := quad.Order(c.q)
	toUnit, ok := quad.FromPoints(cq, quad.Rect(1, 1))
	if !ok {
		return false
	}
	lu := (quad.Dist(cq[0], cq[1]) + quad.Dist(cq[3], cq[2])) / 2
	lv := (quad.Dist(cq[1], cq[2]) + quad.Dist(cq[0], cq[3])) / 2
	type member struct {
		area float64
		edge bool
		q    [4]quad.Point
	}
	var members []member
	for _, j := range inner {
		direct := true
		for _, k := range inner {
			if k != j && contains(kept[k], kept[j]) {
				direct = false
				break
			}
		}
		if !direct || kept[j].rank() < memberRank*c.rank() {
			continue
		}
		u0, v0, u1, v1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range kept[j].q {
			r := toUnit.Apply(p)
			u0, u1 = math.Min(u0, r.X), math.Max(u1, r.X)
			v0, v1 = math.Min(v0, r.Y), math.Max(v1, r.Y)
		}
		du, dv := u1-u0, v1-v0 // extents as fractions of c's sides
		// Turned 90° and spanning most of the short side: a box of the card.
		if lu < lv && du*lu > dv*lv && du > 0.75 || lv <= lu && dv*lv > du*lu && dv > 0.75 {
			continue
		}
		// How close it comes to c's outline.
		inset := math.Min(math.Min(u0, 1-u1), math.Min(v0, 1-v1))
		members = append(members, member{kept[j].area, inset < 0.045, kept[j].q})
	}
	for a := range members {
		for b := a + 1; b < len(members); b++ {
			ma, mb := members[a], members[b]
			if !ma.edge && !mb.edge {
				continue
			}
			if math.Max(ma.area, mb.area) > 1.6*math.Min(ma.area, mb.area) {
				continue
			}
			if quad.Intersection(ma.q, mb.q) > 0.2*math.Min(ma.area, mb.area) {
				continue
			}
			return true
		}
	}
	return false
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
