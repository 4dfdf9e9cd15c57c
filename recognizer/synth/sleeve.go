package synth

import (
	"math"
	"math/rand/v2"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// pocketPlastic lays a binder page's clear pockets over its cards: a slight
// milky haze over each pocket, the welded seams between pockets as pale
// lines, the pocket's front edge (a slot a little below each pocket's top)
// and, when glare is set, a broad reflection of a lamp across the page
// whose core clips to white. h maps the page (layout units: card pixels
// of a cw×ch card) to the frame; the pocket grid is binderPage's.
func pocketPlastic(cv *canvas, h quad.H, cw, ch, glare float64, rng *rand.Rand) {
	inv, ok := h.Inverse()
	if !ok {
		return
	}
	gap, margin := 0.06*cw, 0.1*cw
	haze := 0.04 + 0.06*rng.Float64()
	seam := 0.25 + 0.25*rng.Float64()
	slot := 0.1 + 0.15*rng.Float64()
	pitchX, pitchY := cw+gap, ch+gap
	// The reflection: an elongated bright band across the page.
	var gp quad.Point
	var gdir, gw, glen float64
	if glare > 0 {
		gp = quad.Point{X: margin + 3*pitchX*rng.Float64(), Y: margin + 3*pitchY*rng.Float64()}
		gdir = rng.Float64() * math.Pi
		gw = cw * (0.15 + 0.25*rng.Float64())
		glen = cw * (0.6 + 1.2*rng.Float64())
	}
	cs, sn := math.Cos(gdir), math.Sin(gdir)
	white := [3]float64{255, 255, 255}
	for y := 0; y < cv.h; y++ {
		for x := 0; x < cv.w; x++ {
			p := inv.Apply(quad.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			u, v := p.X-margin+gap*0.3, p.Y-margin+gap*0.3
			if u < 0 || v < 0 || u > 3*pitchX || v > 3*pitchY {
				continue
			}
			// Position inside the pocket (pockets are cw+0.6·gap wide).
			pu, pv := math.Mod(u, pitchX), math.Mod(v, pitchY)
			a := 0.0
			if pu < cw+0.6*gap && pv < ch+0.6*gap {
				a = haze
				// The slot of the pocket's opening, a twentieth down.
				if d := math.Abs(pv - 0.05*ch); d < 0.004*ch {
					a += slot * (1 - d/(0.004*ch))
				}
			} else {
				a = seam // the welded seam between pockets
			}
			if glare > 0 {
				dx, dy := p.X-gp.X, p.Y-gp.Y
				along, across := (dx*cs+dy*sn)/glen, (-dx*sn+dy*cs)/gw
				d2 := along*along + across*across
				if d2 < 9 {
					a += 1.3 * glare * math.Exp(-d2*d2/2)
				}
			}
			if a > 0.003 {
				cv.blend(x, y, white, math.Min(1, a))
			}
		}
	}
}
