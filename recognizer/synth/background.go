package synth

import (
	"math"
	"math/rand/v2"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// paintBackground fills the canvas with background kind bg; similar is the
// card's border colour (for BackgroundSimilar).
func (c *canvas) paintBackground(bg Background, similar [3]float64, rng *rand.Rand) Background {
	if bg == BackgroundRandom {
		bg = Background(1 + rng.IntN(4))
	}
	switch bg {
	case BackgroundWood:
		c.wood(rng)
	case BackgroundClutter:
		c.clutter(rng)
	case BackgroundSimilar:
		col := similar
		for k := range col {
			col[k] += rng.NormFloat64() * 8
		}
		c.textured(col, 8, rng)
	default:
		palette := [][3]float64{
			{235, 235, 230}, // white desk
			{128, 128, 130}, // grey
			{28, 28, 30},    // black cloth
			{30, 40, 80},    // blue playmat
			{200, 180, 150}, // beige
			{40, 90, 50},    // green felt
		}
		col := palette[rng.IntN(len(palette))]
		c.textured(col, 6, rng)
	}
	return bg
}

// textured fills with col modulated by soft fractal noise of amplitude amp.
func (c *canvas) textured(col [3]float64, amp float64, rng *rand.Rand) {
	f := newFBM(c.w, c.h, float64(c.w)/6, 5, rng)
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			d := (f.at(float64(x), float64(y)) - 0.5) * 2 * amp
			i := 3 * (y*c.w + x)
			for k := 0; k < 3; k++ {
				c.pix[i+k] = float32(col[k] + d)
			}
		}
	}
}

// wood paints planks of wood grain.
func (c *canvas) wood(rng *rand.Rand) {
	palette := [][3]float64{{190, 145, 95}, {120, 75, 40}, {215, 180, 130}, {90, 55, 35}}
	base := palette[rng.IntN(len(palette))]
	angle := rng.NormFloat64() * 0.15
	if rng.IntN(2) == 0 {
		angle += math.Pi / 2
	}
	cs, sn := math.Cos(angle), math.Sin(angle)
	plank := float64(c.h) * (0.15 + 0.2*rng.Float64())
	freq := 0.08 + 0.08*rng.Float64()
	turb := newFBM(c.w, c.h, float64(c.w)/4, 4, rng)
	fine := newValueNoise(c.w, c.h, 3, rng)
	shades := make([]float64, 64)
	for i := range shades {
		shades[i] = 0.85 + 0.3*rng.Float64()
	}
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			fx, fy := float64(x), float64(y)
			along := fx*cs + fy*sn
			across := -fx*sn + fy*cs + float64(c.h)
			pi := int(across / plank)
			shade := shades[(pi%64+64)%64]
			t := across*freq + 9*turb.at(fx, fy) + float64(pi)*17
			grain := 0.5 + 0.5*math.Sin(t+0.002*along)
			g := shade * (0.82 + 0.18*grain + 0.05*(fine.at(fx, fy)-0.5))
			if d := math.Mod(across, plank); d < 1.5 { // seam between planks
				g *= 0.55
			}
			i := 3 * (y*c.w + x)
			for k := 0; k < 3; k++ {
				c.pix[i+k] = float32(base[k] * g)
			}
		}
	}
}

// clutter paints a busy desk: a mottled base, then papers with text lines,
// boxes, round objects, cables and small marks in random colours. Boxes
// avoid card-like proportions so that precision measurements stay
// meaningful.
func (c *canvas) clutter(rng *rand.Rand) {
	a := randColour(rng)
	b := randColour(rng)
	f := newFBM(c.w, c.h, float64(c.w)/5, 5, rng)
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			t := f.at(float64(x), float64(y))
			i := 3 * (y*c.w + x)
			for k := 0; k < 3; k++ {
				c.pix[i+k] = float32(a[k]*(1-t) + b[k]*t)
			}
		}
	}
	W, H := float64(c.w), float64(c.h)
	short := math.Min(W, H)
	n := 25 + rng.IntN(25)
	for i := 0; i < n; i++ {
		cx, cy := rng.Float64()*W, rng.Float64()*H
		switch rng.IntN(5) {
		case 0, 1: // box or paper
			w := short * (0.05 + 0.35*rng.Float64())
			asp := 0.15 + 0.4*rng.Float64() // short/long outside 0.55–0.85
			if rng.IntN(3) == 0 {
				asp = 0.87 + 0.13*rng.Float64()
			}
			h := w * asp
			if rng.IntN(2) == 0 {
				w, h = h, w
			}
			col := randColour(rng)
			paper := rng.IntN(3) == 0
			if paper {
				col = [3]float64{235, 235, 228}
			}
			hm := placement(w, h, 1, 1, rng.Float64()*360, cx, cy)
			c.drawPlane(hm, w, h, 0, solid(col), 1)
			if paper { // lines of "text"
				ink := [3]float64{40, 40, 50}
				for ly := h * 0.1; ly < h*0.9; ly += math.Max(4, h/12) {
					lw := w * (0.5 + 0.4*rng.Float64())
					lh := math.Max(1.5, h/40)
					c.drawPlane(hm.Mul(quad.H{1, 0, w * 0.08, 0, 1, ly, 0, 0, 1}), lw, lh, 0, solid(ink), 0.8)
				}
			}
		case 2: // round object
			r := short * (0.02 + 0.12*rng.Float64())
			c.ellipse(cx, cy, r, r*(0.6+0.4*rng.Float64()), rng.Float64()*math.Pi, randColour(rng))
		case 3: // cable or pen
			l := short * (0.2 + 0.6*rng.Float64())
			th := 2 + rng.Float64()*8
			hm := placement(l, th, 1, 1, rng.Float64()*360, cx, cy)
			c.drawPlane(hm, l, th, th/2, solid(randColour(rng)), 1)
		default: // small marks
			for j := 0; j < 10; j++ {
				s := 2 + rng.Float64()*10
				hm := placement(s, s*0.4, 1, 1, rng.Float64()*360, cx+rng.NormFloat64()*30, cy+rng.NormFloat64()*30)
				c.drawPlane(hm, s, s*0.4, 0, solid(randColour(rng)), 0.9)
			}
		}
	}
}

func randColour(rng *rand.Rand) [3]float64 {
	return [3]float64{rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}
}

// ellipse paints a filled, anti-aliased ellipse with a little shading.
func (c *canvas) ellipse(cx, cy, rx, ry, rot float64, col [3]float64) {
	cs, sn := math.Cos(rot), math.Sin(rot)
	r := math.Max(rx, ry)
	x0, x1 := max(0, int(cx-r)-1), min(c.w-1, int(cx+r)+1)
	y0, y1 := max(0, int(cy-r)-1), min(c.h-1, int(cy+r)+1)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			u, v := (dx*cs+dy*sn)/rx, (-dx*sn+dy*cs)/ry
			d := math.Sqrt(u*u + v*v)
			a := math.Min(1, math.Max(0, (1-d)*math.Min(rx, ry)+0.5))
			if a <= 0 {
				continue
			}
			shade := 1 - 0.25*d*d
			c.blend(x, y, [3]float64{col[0] * shade, col[1] * shade, col[2] * shade}, a)
		}
	}
}
