package synth

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// cornerRadius is a card's corner radius as a fraction of its width (about
// 2 mm on a 59–63 mm card).
const cornerRadius = 0.035

// Photo renders a phone photo of card as opt describes and returns it with
// the ground-truth detection: the card's corners in photo pixels, clockwise
// from the card's own top-left corner (so for an upside-down card the first
// corner is at the bottom right of the photo), Score 1 and the card's share
// of the photo area.
func Photo(card image.Image, opt Options, rng *rand.Rand) (*image.RGBA, []catalog.Detection) {
	W, H := opt.size()
	fw, fh := float64(W), float64(H)
	b := card.Bounds()
	cw, ch := float64(b.Dx()), float64(b.Dy())
	scale := opt.Scale
	if scale <= 0 {
		scale = 0.7
	}
	stretch := opt.Stretch
	if stretch <= 0 {
		stretch = 1
	}

	// Scene: the card on a plane seen by a tilted camera, placed where its
	// view fits the frame.
	s := scale * math.Min(fw, fh) / ch
	view := tiltView(fw, fh, opt.tilt(), rng.Float64()*2*math.Pi, focal(fw, fh))
	h := framePlacement(fw, fh, 0.03*math.Min(fw, fh), s, view, true, rng,
		func(s, cx, cy float64) quad.H { return placement(cw, ch, s, stretch, opt.Rotation, cx, cy) },
		func(h quad.H) []quad.Point { q := project(h, cw, ch); return q[:] })
	corners := project(h, cw, ch)

	cv := newCanvas(W, H)
	shade, src := cardShader(card, math.Sqrt(quad.Area(corners[:])/(cw*ch)))
	cv.paintBackground(opt.Background, src.borderColour(), rng)
	drawCard(cv, h, cw, ch, shade, opt.Sleeve, rng)
	if opt.Fingers {
		fingers(cv, corners, rng)
	}
	finish(cv, []quad.H{h}, cw, ch, opt, rng)
	img := reencode(cv.toRGBA(), opt.JPEGQuality)
	return img, []catalog.Detection{detection(corners, fw, fh)}
}

func detection(q [4]quad.Point, fw, fh float64) catalog.Detection {
	return catalog.Detection{Corners: q, Score: 1, AreaFraction: quad.Area(q[:]) / (fw * fh)}
}

// sleeveColours are common matte sleeve colours (the back shows around the
// card) and a clear one that shows the background dimmed.
var sleeveColours = [][3]float64{{20, 20, 22}, {150, 20, 25}, {25, 45, 140}, {90, 30, 110}, {230, 230, 235}}

// drawCard draws a card (with its sleeve) mapped by h from its w×hgt pixel
// rectangle.
func drawCard(cv *canvas, h quad.H, w, hgt float64, shade shader, sleeve bool, rng *rand.Rand) {
	r := cornerRadius * w
	if !sleeve {
		cv.drawPlane(h, w, hgt, r, shade, 1)
		return
	}
	col := sleeveColours[rng.IntN(len(sleeveColours))]
	mx, my := w*0.035, hgt*0.025 // sleeve overhang per side
	outer := h.Mul(quad.H{1, 0, -mx, 0, 1, -my, 0, 0, 1})
	cv.drawPlane(outer, w+2*mx, hgt+2*my, r*1.5, solid(col), 0.92)
	// The card seen through the sleeve's front: a slight haze and a soft
	// diagonal reflection band.
	band := rng.Float64()
	bw := 0.08 + 0.1*rng.Float64()
	strength := 20 + 30*rng.Float64()
	cv.drawPlane(h, w, hgt, r, func(u, v float64) [3]float64 {
		c := shade(u, v)
		t := (u/w+v/hgt)/2 - band
		refl := strength * math.Exp(-t*t/(2*bw*bw))
		for k := range c {
			c[k] = c[k]*0.94 + 255*0.06 + refl
		}
		return c
	}, 1)
}

// skinTones are a few finger colours, light to dark.
var skinTones = [][3]float64{{235, 190, 160}, {215, 160, 120}, {170, 115, 80}, {110, 70, 50}}

// fingers draws one finger over an edge of the card and, half the time, a
// thumb over the opposite edge, as when a card is held up to the camera.
func fingers(cv *canvas, q [4]quad.Point, rng *rand.Rand) {
	skin := skinTones[rng.IntN(len(skinTones))]
	width := (quad.Dist(q[0], q[1]) + quad.Dist(q[2], q[3])) / 2
	side := rng.IntN(4)
	n := 1 + rng.IntN(2)
	for i := 0; i < n; i++ {
		e := (side + 2*i) % 4
		a, b := q[e], q[(e+1)%4]
		t := 0.25 + 0.5*rng.Float64()
		p := quad.Point{X: a.X + t*(b.X-a.X), Y: a.Y + t*(b.Y-a.Y)}
		// Outward normal of a clockwise (screen) quad edge.
		ex, ey := b.X-a.X, b.Y-a.Y
		l := math.Hypot(ex, ey)
		nx, ny := ey/l, -ex/l
		ang := rng.NormFloat64() * 0.3
		dx := nx*math.Cos(ang) - ny*math.Sin(ang)
		dy := nx*math.Sin(ang) + ny*math.Cos(ang)
		in := width * (0.06 + 0.08*rng.Float64())
		out := width * 1.5
		tip := quad.Point{X: p.X - dx*in, Y: p.Y - dy*in}
		base := quad.Point{X: p.X + dx*out, Y: p.Y + dy*out}
		cv.finger(base, tip, width*(0.07+0.03*rng.Float64()), skin)
	}
}

// finish applies the photographic effects in the order a camera meets
// them: light and glare in the scene, then the lens (blur), the sensor
// (noise) and white balance/display artefacts. cards are the card
// homographies (glare lands on one of them).
func finish(cv *canvas, cards []quad.H, cw, ch float64, opt Options, rng *rand.Rand) {
	cv.light(opt.Light, rng)
	if opt.Glare > 0 && len(cards) > 0 {
		h := cards[rng.IntN(len(cards))]
		p := h.Apply(quad.Point{X: cw * (0.25 + 0.5*rng.Float64()), Y: ch * (0.2 + 0.6*rng.Float64())})
		q := project(h, cw, ch)
		r := 0.12 * math.Sqrt(quad.Area(q[:])) * (0.7 + 0.6*rng.Float64())
		cv.glare(p, r, opt.Glare, rng)
	}
	cv.whiteBalance(opt.WhiteBalance)
	if opt.Screen {
		cv.screen(rng)
	}
	cv.gaussian(opt.Blur)
	cv.motion(opt.Motion, rng)
	cv.noise(opt.Noise, rng)
}
