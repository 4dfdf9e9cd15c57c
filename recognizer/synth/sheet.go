package synth

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// Layout is how Sheet arranges several cards.
type Layout int

// Layouts.
const (
	// LayoutBinder is a 3×3 binder page: nine pockets (cards cycled from
	// the list) on a page that nearly fills the frame.
	LayoutBinder Layout = iota
	// LayoutTable is loose cards on a table, one per card given, at random
	// positions and rotations, never overlapping.
	LayoutTable
	// LayoutDense is a deck laid out in a grid, one per card given (40
	// cards make 8×5): cards touching or nearly touching, each a little
	// off its cell and turned by a degree or so; see denseLayout.
	LayoutDense
)

// Sheet renders a photo of several cards and returns the ground-truth
// detection of each, in the order drawn (binder: row by row; table: the
// order of cards; dense: row by row). opt applies to the whole photo; opt.Scale and
// opt.Rotation mean the page's (binder) or each card's size (table).
func Sheet(cards []image.Image, layout Layout, opt Options, rng *rand.Rand) (*image.RGBA, []catalog.Detection) {
	if len(cards) == 0 {
		img, _ := blank(opt, rng)
		return img, nil
	}
	W, H := opt.size()
	fw, fh := float64(W), float64(H)
	// All cards are drawn at the size of the first, as real cards of one
	// game are.
	b := cards[0].Bounds()
	cw, ch := float64(b.Dx()), float64(b.Dy())

	// Scene plane layout at unit scale around the origin; framePlacement
	// scales and centres it so that its view fits the frame.
	var local []quad.H // card pixels → layout coordinates
	var pageW, pageHt float64
	var scale float64
	switch layout {
	case LayoutBinder:
		scale = opt.Scale
		if scale <= 0 {
			scale = 0.95
		}
		gap, margin := 0.06*cw, 0.1*cw // pocket gap and page margin, card pixels
		pageW, pageHt = 3*cw+2*gap+2*margin, 3*ch+2*gap+2*margin
		for r := 0; r < 3; r++ {
			for c := 0; c < 3; c++ {
				// A card sits loosely in its pocket.
				x := margin + float64(c)*(cw+gap) + rng.NormFloat64()*0.01*cw
				y := margin + float64(r)*(ch+gap) + rng.NormFloat64()*0.01*cw
				local = append(local, quad.H{1, 0, x, 0, 1, y, 0, 0, 1})
			}
		}
		scale = scale * math.Min(fw, fh) / pageHt
	case LayoutDense:
		scale = opt.Scale
		if scale <= 0 {
			scale = 0.92
		}
		local, pageW, pageHt = denseLayout(len(cards), cw, ch, fw/fh, rng)
		scale *= math.Min(fw/pageW, fh/pageHt)
	default:
		per := opt.Scale
		if per <= 0 {
			per = 0.3
		}
		local, pageW, pageHt = tableLayout(len(cards), cw, ch, per, fw/fh, rng)
		scale = math.Min(fw/pageW, fh/pageHt)
	}
	view := tiltView(fw, fh, opt.tilt(), rng.Float64()*2*math.Pi, focal(fw, fh))
	pageToFrame := framePlacement(fw, fh, 0.02*math.Min(fw, fh), scale, view, false, rng,
		func(s, cx, cy float64) quad.H { return placement(pageW, pageHt, s, 1, opt.Rotation, cx, cy) },
		func(h quad.H) []quad.Point {
			var pts []quad.Point
			for _, l := range local {
				q := project(h.Mul(l), cw, ch)
				pts = append(pts, q[:]...)
			}
			if layout == LayoutBinder {
				q := project(h, pageW, pageHt)
				pts = append(pts, q[:]...)
			}
			return pts
		})

	cv := newCanvas(W, H)
	_, src := cardShader(cards[0], 1)
	cv.paintBackground(opt.Background, src.borderColour(), rng)
	if layout == LayoutBinder {
		binderPage(cv, pageToFrame, pageW, pageHt, cw, ch, rng)
	}
	hs := make([]quad.H, len(local))
	dets := make([]catalog.Detection, len(local))
	for i, l := range local {
		hs[i] = pageToFrame.Mul(l)
		card := cards[i%len(cards)]
		cb := card.Bounds()
		// Map this card's own pixels onto the first card's rectangle.
		norm := quad.H{cw / float64(cb.Dx()), 0, 0, 0, ch / float64(cb.Dy()), 0, 0, 0, 1}
		q := project(hs[i], cw, ch)
		shade, _ := cardShader(card, math.Sqrt(quad.Area(q[:])/(float64(cb.Dx())*float64(cb.Dy()))))
		drawCard(cv, hs[i].Mul(norm), float64(cb.Dx()), float64(cb.Dy()), shade, opt.Sleeve, rng)
		dets[i] = detection(q, fw, fh)
	}
	if layout == LayoutBinder {
		pocketSheen(cv, pageToFrame, pageW, pageHt, rng)
		pocketPlastic(cv, pageToFrame, cw, ch, opt.Glare, rng)
	}
	finish(cv, hs, cw, ch, opt, rng)
	return reencode(cv.toRGBA(), opt.JPEGQuality), dets
}

func blank(opt Options, rng *rand.Rand) (*image.RGBA, Background) {
	W, H := opt.size()
	cv := newCanvas(W, H)
	bg := cv.paintBackground(opt.Background, [3]float64{128, 128, 128}, rng)
	finish(cv, nil, 1, 1, opt, rng)
	return reencode(cv.toRGBA(), opt.JPEGQuality), bg
}

// binderPage paints the page and its nine slightly lighter pockets.
func binderPage(cv *canvas, h quad.H, pw, ph, cw, ch float64, rng *rand.Rand) {
	pages := [][3]float64{{22, 22, 24}, {50, 50, 56}, {25, 30, 60}, {225, 225, 228}}
	col := pages[rng.IntN(len(pages))]
	cv.drawPlane(h, pw, ph, 0.02*pw, solid(col), 1)
	gap, margin := 0.06*cw, 0.1*cw
	pocket := [3]float64{col[0]*0.85 + 40, col[1]*0.85 + 40, col[2]*0.85 + 40}
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			x := margin + float64(c)*(cw+gap) - gap*0.3
			y := margin + float64(r)*(ch+gap) - gap*0.3
			cv.drawPlane(h.Mul(quad.H{1, 0, x, 0, 1, y, 0, 0, 1}), cw+0.6*gap, ch+0.6*gap, 0, solid(pocket), 0.35)
		}
	}
}

// pocketSheen lays a few soft diagonal reflections of the pockets' plastic
// over the page.
func pocketSheen(cv *canvas, h quad.H, pw, ph float64, rng *rand.Rand) {
	n := 1 + rng.IntN(3)
	for i := 0; i < n; i++ {
		pos := rng.Float64()
		width := 0.03 + 0.08*rng.Float64()
		alpha := 0.06 + 0.1*rng.Float64()
		inv, ok := h.Inverse()
		if !ok {
			return
		}
		for y := 0; y < cv.h; y++ {
			for x := 0; x < cv.w; x++ {
				p := inv.Apply(quad.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
				if p.X < 0 || p.Y < 0 || p.X > pw || p.Y > ph {
					continue
				}
				t := (p.X/pw+p.Y/ph)/2 - pos
				a := alpha * math.Exp(-t*t/(2*width*width))
				if a > 0.005 {
					cv.blend(x, y, [3]float64{255, 255, 255}, a)
				}
			}
		}
	}
}

// tableLayout scatters n cards without overlaps over a table area of
// the frame's aspect ratio whose height is 1/per card heights, returning
// each card's placement and the area's size in card pixels.
func tableLayout(n int, cw, ch, per, frameAspect float64, rng *rand.Rand) ([]quad.H, float64, float64) {
	th := ch / per
	tw := th * frameAspect
	for attempt := 0; ; attempt++ {
		var places []quad.H
		var quads [][4]quad.Point
		ok := true
		for i := 0; i < n && ok; i++ {
			placed := false
			for try := 0; try < 200; try++ {
				r := ch * 0.55
				cx := r + rng.Float64()*(tw-2*r)
				cy := r + rng.Float64()*(th-2*r)
				p := placement(cw, ch, 1, 1, rng.Float64()*360, cx, cy)
				cand := project(p, cw, ch)
				clear := true
				for _, o := range quads {
					if quad.Intersection(grow(cand, 1.08), o) > 0 {
						clear = false
						break
					}
				}
				if clear {
					places = append(places, p)
					quads = append(quads, cand)
					placed = true
					break
				}
			}
			ok = placed
		}
		if ok || attempt > 20 {
			return places, tw, th
		}
		th *= 1.1
		tw = th * frameAspect
	}
}

// grow scales q about its centroid.
func grow(q [4]quad.Point, k float64) [4]quad.Point {
	cx, cy := 0.0, 0.0
	for _, p := range q {
		cx += p.X / 4
		cy += p.Y / 4
	}
	for i, p := range q {
		q[i] = quad.Point{X: cx + (p.X-cx)*k, Y: cy + (p.Y-cy)*k}
	}
	return q
}
