package detect

import (
	"math"
	"sort"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// Grid completion. Cards laid out together — a binder page's pockets, a
// deck dealt out in rows and columns, touching or nearly — stand on one
// plane in a regular grid, and the outline cues find only some of them:
// where two cards touch, their outlines merge and no contour or line pair
// separates them, and glare on a sleeve's plastic breaks the rest. The
// cards that were found fix the grid: one homography maps lattice
// coordinates (card widths and heights, with the pitch of the grid) onto
// the photo. Every cell of that lattice next to the cards found is then a
// proposal, kept when the photo supports it: its outline on edges, or,
// between cards already found, a card-like interior. The lattice needs
// three cards aligned with it, so loose cards on a table (each turned its
// own way) and single-card photos are left as they were.

// latticeCard is a candidate placed on the lattice at column i, row j.
type latticeCard struct {
	c    candidate
	i, j int
}

// lattice is a fitted grid: h maps lattice coordinates (a card is the unit
// square, cell (i, j) starts at (i·pu, j·pv)) to work pixels.
type lattice struct {
	h      quad.H
	pu, pv float64
	cards  []latticeCard
}

// cell returns the quad of cell (i, j) in work pixels, clockwise from the
// cell's (0, 0) corner.
func (l *lattice) cell(i, j int) [4]quad.Point {
	x, y := float64(i)*l.pu, float64(j)*l.pv
	return [4]quad.Point{
		l.h.Apply(quad.Point{X: x, Y: y}), l.h.Apply(quad.Point{X: x + 1, Y: y}),
		l.h.Apply(quad.Point{X: x + 1, Y: y + 1}), l.h.Apply(quad.Point{X: x, Y: y + 1}),
	}
}

// minLattice is the least number of aligned cards that make a grid.
const minLattice = 3

// completeGrid adds the cards of a grid that the cues missed and drops
// quads that straddle its cells (an outline around two cards, a page).
func (d *Detector) completeGrid(ws *workset, kept []candidate, minArea, maxArea float64) []candidate {
	if len(kept) < minLattice {
		return kept
	}
	l := fitLattice(kept, minArea)
	if l == nil {
		return kept
	}
	inLattice := map[int]bool{}
	occupied := map[[2]int]bool{}
	for _, lc := range l.cards {
		occupied[[2]int{lc.i, lc.j}] = true
	}
	var added []candidate
	i0, i1, j0, j1 := math.MaxInt, math.MinInt, math.MaxInt, math.MinInt
	for _, lc := range l.cards {
		i0, i1 = min(i0, lc.i), max(i1, lc.i)
		j0, j1 = min(j0, lc.j), max(j1, lc.j)
	}
	// Grow the filled region ring by ring: cells between cards found
	// first, then one cell beyond, as long as the photo supports them.
	for ring := 0; ring < 12; ring++ {
		grew := false
		for j := j0 - 1; j <= j1+1; j++ {
			for i := i0 - 1; i <= i1+1; i++ {
				if occupied[[2]int{i, j}] {
					continue
				}
				q := l.cell(i, j)
				c, ok := d.assessCell(ws, q, occupied, i, j, minArea, maxArea)
				if !ok {
					continue
				}
				occupied[[2]int{i, j}] = true
				added = append(added, c)
				grew = true
				i0, i1 = min(i0, i), max(i1, i)
				j0, j1 = min(j0, j), max(j1, j)
			}
		}
		if !grew {
			break
		}
	}
	for _, lc := range l.cards {
		for k, c := range kept {
			if c.q == lc.c.q {
				inLattice[k] = true
			}
		}
	}
	out := make([]candidate, 0, len(kept)+len(added))
	var cells [][4]quad.Point
	for ij := range occupied {
		cells = append(cells, l.cell(ij[0], ij[1]))
	}
	for k, c := range kept {
		if !inLattice[k] && straddles(c, cells) {
			continue
		}
		out = append(out, c)
	}
	return append(out, added...)
}

// straddles reports whether c, a quad outside the lattice, covers a good
// part of a lattice cell: a box of two cards, a page or a piece of a card.
func straddles(c candidate, cells [][4]quad.Point) bool {
	for _, q := range cells {
		a := quad.Area(q[:])
		in := quad.Intersection(c.q, q)
		if in > 0.3*math.Min(a, c.area) {
			return true
		}
	}
	return false
}

// assessCell decides whether lattice cell (i, j), quad q, holds a card.
// Its sides are scored as a detection's are; a side shared with a card
// already found counts as supported when it is weak (touching cards of one
// border colour share an edge the photo barely shows). A cell needs its
// outline supported as a whole, and its outer sides (those facing no card)
// on real edges, so that the lattice does not run on over the table.
func (d *Detector) assessCell(ws *workset, q [4]quad.Point, occupied map[[2]int]bool, i, j int, minArea, maxArea float64) (candidate, bool) {
	for _, p := range q {
		if p.X < 1 || p.Y < 1 || p.X > float64(ws.w-1) || p.Y > float64(ws.h-1) {
			return candidate{}, false
		}
	}
	a := quad.Area(q[:])
	if a < minArea || a > maxArea || !quad.Convex(q) {
		return candidate{}, false
	}
	// Side k of the cell and the neighbour across it: top, right, bottom,
	// left.
	nb := [4][2]int{{i, j - 1}, {i + 1, j}, {i, j + 1}, {i - 1, j}}
	var s [4]float64
	sum, neighbours := 0.0, 0
	outerLeast := 1.0
	for k := 0; k < 4; k++ {
		s[k] = sideSupport(ws.grad, q[k], q[(k+1)%4], 3)
		if occupied[nb[k]] {
			neighbours++
			sum += math.Max(s[k], 0.6)
		} else {
			sum += s[k]
			outerLeast = math.Min(outerLeast, s[k])
		}
	}
	if neighbours == 0 {
		return candidate{}, false
	}
	mean := sum / 4
	ok := mean >= 0.55 && outerLeast >= 0.35
	if !ok {
		return candidate{}, false
	}
	asp, _ := plausible(q, ws.w, ws.h)
	return candidate{q: quad.Order(q), area: a, score: math.Min(1, mean), aspect: asp, cue: "lattice"}, true
}

// fitLattice finds the set of candidates aligned on one grid that best
// explains the photo and fits its homography, or nil when fewer than
// minLattice align. Each of the best ranked candidates seeds a lattice
// (its near neighbours first, then all after a global fit); a lattice's
// score is its cards less a penalty for every other candidate that holds
// two of its cells: the artwork and text boxes of touching cards make a
// grid of their own, of half cards, which the whole cards around them
// give away.
func fitLattice(kept []candidate, minArea float64) *lattice {
	order := make([]int, len(kept))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return kept[order[a]].rank() > kept[order[b]].rank() })
	var best *lattice
	bestScore := 0
	tried := map[[4]quad.Point]bool{}
	for _, s := range order[:min(maxSeeds, len(order))] {
		if tried[kept[s].q] {
			continue // already on a lattice tried
		}
		l := seedLattice(kept, kept[s])
		if l == nil || len(l.cards) < minLattice {
			continue
		}
		for iter := 0; iter < 3; iter++ {
			if !l.refit() {
				break
			}
			l.assign(kept, 0)
		}
		if len(l.cards) < minLattice {
			continue
		}
		for _, lc := range l.cards {
			tried[lc.c.q] = true
		}
		score := len(l.cards) - 3*l.holders(kept)
		if score >= minLattice && score > bestScore {
			best, bestScore = l, score
		}
	}
	return best
}

// maxSeeds bounds the lattices tried.
const maxSeeds = 12

// holders counts the candidates off the lattice that hold two of its cells
// side by side: each covers both cells (80 % of each) and is not much
// larger than the two.
func (l *lattice) holders(kept []candidate) int {
	inv, ok := l.h.Inverse()
	if !ok {
		return 0
	}
	on := map[[4]quad.Point]bool{}
	for _, lc := range l.cards {
		on[lc.c.q] = true
	}
	n := 0
	for _, c := range kept {
		if on[c.q] {
			continue
		}
		inside := 0
		cellArea := 0.0
		cx, cy := 0.0, 0.0
		for _, p := range c.q {
			cx, cy = cx+p.X/4, cy+p.Y/4
		}
		m := inv.Apply(quad.Point{X: cx, Y: cy})
		ci, cj := int(math.Floor(m.X/l.pu)), int(math.Floor(m.Y/l.pv))
		for j := cj - 1; j <= cj+1; j++ {
			for i := ci - 1; i <= ci+1; i++ {
				q := l.cell(i, j)
				a := quad.Area(q[:])
				if quad.Intersection(c.q, q) > 0.8*a {
					inside++
					cellArea = a
				}
			}
		}
		if inside >= 2 && c.area < 2.6*cellArea {
			n++
		}
	}
	return n
}

// seedLattice starts a lattice in the frame of card s: s is the unit
// square at (0, 0); the pitch is measured from its nearest aligned
// neighbours (1.03 card sizes when it has none that way).
func seedLattice(kept []candidate, s candidate) *lattice {
	h, ok := quad.FromPoints(quad.Rect(1, 1), quad.Order(s.q))
	if !ok {
		return nil
	}
	l := &lattice{h: h, pu: 1.03, pv: 1.03}
	inv, ok := h.Inverse()
	if !ok {
		return nil
	}
	var us, vs []float64
	for _, c := range kept {
		x, y, ok := alignedAt(inv, c)
		if !ok {
			continue
		}
		if ax, ay := math.Abs(x), math.Abs(y); ay < 0.3 && ax > 0.9 && ax < 1.35 {
			us = append(us, ax)
		} else if ax < 0.3 && ay > 0.9 && ay < 1.35 {
			vs = append(vs, ay)
		}
	}
	if len(us) > 0 {
		l.pu = median(us)
	}
	if len(vs) > 0 {
		l.pv = median(vs)
	}
	if len(us) == 0 && len(vs) > 0 {
		l.pu = 1 + (l.pv - 1)
	}
	if len(vs) == 0 && len(us) > 0 {
		l.pv = 1 + (l.pu - 1)
	}
	l.assign(kept, 2)
	return l
}

// alignedAt maps c through inv (photo → lattice units) and, when c is a
// unit square there (a card of the lattice's size and orientation, either
// way round), returns its lower corner.
func alignedAt(inv quad.H, c candidate) (float64, float64, bool) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	var m [4]quad.Point
	for k, p := range c.q {
		m[k] = inv.Apply(p)
		x0, x1 = math.Min(x0, m[k].X), math.Max(x1, m[k].X)
		y0, y1 = math.Min(y0, m[k].Y), math.Max(y1, m[k].Y)
	}
	if math.Abs(x1-x0-1) > 0.15 || math.Abs(y1-y0-1) > 0.15 {
		return 0, 0, false
	}
	// Every corner near a corner of the bounding box: not turned.
	for _, p := range m {
		dx := math.Min(math.Abs(p.X-x0), math.Abs(p.X-x1))
		dy := math.Min(math.Abs(p.Y-y0), math.Abs(p.Y-y1))
		if dx > 0.1 || dy > 0.1 {
			return 0, 0, false
		}
	}
	return (x0 + x1 - 1) / 2, (y0 + y1 - 1) / 2, true
}

// assign places every candidate aligned with the lattice in its cell (the
// best ranked when two claim one); reach > 0 keeps to cells within reach
// of (0, 0), where a single card's frame still predicts well.
func (l *lattice) assign(kept []candidate, reach int) {
	inv, ok := l.h.Inverse()
	if !ok {
		l.cards = nil
		return
	}
	byCell := map[[2]int]latticeCard{}
	for _, c := range kept {
		x, y, ok := alignedAt(inv, c)
		if !ok {
			continue
		}
		i, j := int(math.Round(x/l.pu)), int(math.Round(y/l.pv))
		if reach > 0 && (abs(i) > reach || abs(j) > reach) {
			continue
		}
		if math.Abs(x-float64(i)*l.pu) > 0.2 || math.Abs(y-float64(j)*l.pv) > 0.2 {
			continue
		}
		k := [2]int{i, j}
		if o, dup := byCell[k]; dup && o.c.rank() >= c.rank() {
			continue
		}
		byCell[k] = latticeCard{c, i, j}
	}
	l.cards = l.cards[:0]
	for _, lc := range byCell {
		l.cards = append(l.cards, lc)
	}
	sort.Slice(l.cards, func(a, b int) bool {
		if l.cards[a].j != l.cards[b].j {
			return l.cards[a].j < l.cards[b].j
		}
		return l.cards[a].i < l.cards[b].i
	})
}

// refit re-estimates the pitch and the homography from every card on the
// lattice: each card's four corners against its cell's.
func (l *lattice) refit() bool {
	if len(l.cards) < minLattice {
		return false
	}
	inv, ok := l.h.Inverse()
	if !ok {
		return false
	}
	// Pitch: each card's offset over its index.
	var us, vs []float64
	for _, lc := range l.cards {
		x, y, ok := alignedAt(inv, lc.c)
		if !ok {
			continue
		}
		if lc.i != 0 {
			us = append(us, x/float64(lc.i))
		}
		if lc.j != 0 {
			vs = append(vs, y/float64(lc.j))
		}
	}
	if len(us) > 0 {
		l.pu = median(us)
	}
	if len(vs) > 0 {
		l.pv = median(vs)
	}
	var src, dst []quad.Point
	for _, lc := range l.cards {
		cell := [4]quad.Point{
			{X: float64(lc.i) * l.pu, Y: float64(lc.j) * l.pv}, {X: float64(lc.i)*l.pu + 1, Y: float64(lc.j) * l.pv},
			{X: float64(lc.i)*l.pu + 1, Y: float64(lc.j)*l.pv + 1}, {X: float64(lc.i) * l.pu, Y: float64(lc.j)*l.pv + 1},
		}
		// Pair each cell corner with the card corner nearest to its
		// current image.
		for _, cp := range cell {
			want := l.h.Apply(cp)
			best, bd := lc.c.q[0], math.Inf(1)
			for _, p := range lc.c.q {
				if dd := quad.Dist(p, want); dd < bd {
					best, bd = p, dd
				}
			}
			src = append(src, cp)
			dst = append(dst, best)
		}
	}
	h, ok := fitHomography(src, dst)
	if !ok {
		return false
	}
	l.h = h
	return true
}

// fitHomography is the least-squares homography (h8 = 1) mapping src to
// dst, from the normal equations of the DLT system, with both point sets
// normalised (centred, unit mean distance) for conditioning.
func fitHomography(src, dst []quad.Point) (quad.H, bool) {
	if len(src) < 4 || len(src) != len(dst) {
		return quad.H{}, false
	}
	ns, ts := normalise(src)
	nd, td := normalise(dst)
	var ata [8][8]float64
	var atb [8]float64
	add := func(row [8]float64, b float64) {
		for r := 0; r < 8; r++ {
			for c := 0; c < 8; c++ {
				ata[r][c] += row[r] * row[c]
			}
			atb[r] += row[r] * b
		}
	}
	for k := range ns {
		x, y, u, v := ns[k].X, ns[k].Y, nd[k].X, nd[k].Y
		add([8]float64{x, y, 1, 0, 0, 0, -u * x, -u * y}, u)
		add([8]float64{0, 0, 0, x, y, 1, -v * x, -v * y}, v)
	}
	sol, ok := solve8(ata, atb)
	if !ok {
		return quad.H{}, false
	}
	hn := quad.H{sol[0], sol[1], sol[2], sol[3], sol[4], sol[5], sol[6], sol[7], 1}
	tdi, ok := td.Inverse()
	if !ok {
		return quad.H{}, false
	}
	return tdi.Mul(hn).Mul(ts), true
}

// normalise centres pts and scales them to a mean distance of √2, returning
// the moved points and the transform that does it.
func normalise(pts []quad.Point) ([]quad.Point, quad.H) {
	var mx, my float64
	for _, p := range pts {
		mx += p.X
		my += p.Y
	}
	mx /= float64(len(pts))
	my /= float64(len(pts))
	d := 0.0
	for _, p := range pts {
		d += math.Hypot(p.X-mx, p.Y-my)
	}
	d /= float64(len(pts))
	s := math.Sqrt2 / math.Max(d, 1e-9)
	t := quad.H{s, 0, -s * mx, 0, s, -s * my, 0, 0, 1}
	out := make([]quad.Point, len(pts))
	for i, p := range pts {
		out[i] = t.Apply(p)
	}
	return out, t
}

// solve8 solves a·x = b by Gaussian elimination with partial pivoting.
func solve8(a [8][8]float64, b [8]float64) ([8]float64, bool) {
	var x [8]float64
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return x, false
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < 8; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < 8; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	for r := 7; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < 8; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// gridShapes are the layouts an outline around several cards is tested
// for: columns × rows, most cells first (a binder page, its blocks, a
// dealt-out hand).
var gridShapes = [][2]int{{4, 4}, {4, 3}, {3, 4}, {3, 3}, {4, 2}, {2, 4}, {3, 2}, {2, 3}, {2, 2}}

// splitGrids replaces each kept quad that is a grid of cards — a binder
// page whose cards were not found one by one, a block of touching cards
// found as one outline — by its cells: the quad is divided into columns
// and rows of card-shaped cells, and the division stands when the lines
// between neighbouring cells lie on edges (the gaps between pockets or
// cards; see gapSupported). Each cell is then the best candidate that
// matches it, or the cell itself.
func (d *Detector) splitGrids(ws *workset, kept, cands []candidate, minArea float64) []candidate {
	var out []candidate
	for _, c := range kept {
		if c.area < 4*minArea {
			out = append(out, c)
			continue
		}
		cells := gridCells(ws, c, minArea)
		if cells == nil {
			out = append(out, c)
			continue
		}
		for _, q := range cells {
			best, bi := 0.0, -1
			a := quad.Area(q[:])
			for k, o := range cands {
				if o.area > 1.3*a || o.area < 0.6*a {
					continue
				}
				if v := quad.IoU(o.q, q); v > 0.6 && o.rank() > best {
					best, bi = o.rank(), k
				}
			}
			if bi >= 0 {
				out = append(out, cands[bi])
				continue
			}
			asp, _ := plausible(q, ws.w, ws.h)
			out = append(out, candidate{q: quad.Order(q), area: a, score: c.score, aspect: asp, cue: "grid"})
		}
	}
	return out
}

// gridCells returns the cells of c when c is a grid of cards, else nil.
func gridCells(ws *workset, c candidate, minArea float64) [][4]quad.Point {
	cq := quad.Order(c.q)
	h, ok := quad.FromPoints(quad.Rect(1, 1), cq)
	if !ok {
		return nil
	}
	at := func(u, v float64) quad.Point { return h.Apply(quad.Point{X: u, Y: v}) }
	for _, g := range gridShapes {
		n, m := g[0], g[1]
		cell := func(i, j int) [4]quad.Point {
			u0, u1 := float64(i)/float64(n), float64(i+1)/float64(n)
			v0, v1 := float64(j)/float64(m), float64(j+1)/float64(m)
			return [4]quad.Point{at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)}
		}
		q0 := cell(0, 0)
		if quad.Area(q0[:]) < minArea {
			continue
		}
		if _, ok := plausible(q0, ws.w, ws.h); !ok {
			continue
		}
		// Every line segment between two neighbouring cells; the test
		// stops at the first fifth missed (most outlines are one card).
		type seg struct{ u0, v0, u1, v1, span float64 }
		var segs []seg
		for j := 0; j < m; j++ {
			for i := 1; i < n; i++ {
				u := float64(i) / float64(n)
				segs = append(segs, seg{u, float64(j) / float64(m), u, float64(j+1) / float64(m), 1 / float64(n)})
			}
		}
		for i := 0; i < n; i++ {
			for j := 1; j < m; j++ {
				v := float64(j) / float64(m)
				segs = append(segs, seg{float64(i) / float64(n), v, float64(i+1) / float64(n), v, 1 / float64(m)})
			}
		}
		allowed := len(segs) - int(math.Ceil(0.8*float64(len(segs))))
		missed := 0
		for _, sg := range segs {
			if !gapSupported(ws, h, sg.u0, sg.v0, sg.u1, sg.v1, sg.span) {
				if missed++; missed > allowed {
					break
				}
			}
		}
		if missed > allowed {
			continue
		}
		var cells [][4]quad.Point
		for j := 0; j < m; j++ {
			for i := 0; i < n; i++ {
				cells = append(cells, cell(i, j))
			}
		}
		return cells
	}
	return nil
}

// gapSupported reports whether the line between neighbouring cells, from
// (u0, v0) to (u1, v1) in the outline's unit frame, lies on a straight edge
// within an eighth of a cell (span, in unit lengths, across the line): the
// edge of a gap between two cards or pockets, or the seam of two touching
// cards. A line through a card's middle crosses its artwork and text and
// holds no edge along its whole length.
func gapSupported(ws *workset, h quad.H, u0, v0, u1, v1, span float64) bool {
	vertical := u0 == u1
	for k := -6; k <= 6; k++ {
		o := float64(k) / 48 * span
		a, b := quad.Point{X: u0, Y: v0}, quad.Point{X: u1, Y: v1}
		if vertical {
			a.X, b.X = a.X+o, b.X+o
		} else {
			a.Y, b.Y = a.Y+o, b.Y+o
		}
		up, down, _ := edgeSupports(ws.grad, h.Apply(a), h.Apply(b), 1, false)
		if up > 0.7 || down > 0.7 {
			return true
		}
	}
	return false
}
