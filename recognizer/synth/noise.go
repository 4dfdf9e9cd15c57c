package synth

import (
	"math"
	"math/rand/v2"
)

// valueNoise is smooth lattice noise in [0, 1] with the given cell size.
type valueNoise struct {
	cell   float64
	gw, gh int
	v      []float64
}

func newValueNoise(w, h int, cell float64, rng *rand.Rand) *valueNoise {
	gw, gh := int(float64(w)/cell)+3, int(float64(h)/cell)+3
	n := &valueNoise{cell: cell, gw: gw, gh: gh, v: make([]float64, gw*gh)}
	for i := range n.v {
		n.v[i] = rng.Float64()
	}
	return n
}

func (n *valueNoise) at(x, y float64) float64 {
	fx, fy := x/n.cell, y/n.cell
	ix, iy := int(math.Floor(fx)), int(math.Floor(fy))
	tx, ty := fx-float64(ix), fy-float64(iy)
	tx = tx * tx * (3 - 2*tx)
	ty = ty * ty * (3 - 2*ty)
	ix = min(max(ix, 0), n.gw-2)
	iy = min(max(iy, 0), n.gh-2)
	a := n.v[iy*n.gw+ix]
	b := n.v[iy*n.gw+ix+1]
	c := n.v[(iy+1)*n.gw+ix]
	d := n.v[(iy+1)*n.gw+ix+1]
	return (a*(1-tx)+b*tx)*(1-ty) + (c*(1-tx)+d*tx)*ty
}

// fbm is fractal noise: octaves of value noise, halving cell and amplitude.
type fbm []*valueNoise

func newFBM(w, h int, cell float64, octaves int, rng *rand.Rand) fbm {
	f := make(fbm, octaves)
	for i := range f {
		f[i] = newValueNoise(w, h, math.Max(2, cell/math.Pow(2, float64(i))), rng)
	}
	return f
}

// at returns roughly [0, 1].
func (f fbm) at(x, y float64) float64 {
	s, amp, norm := 0.0, 1.0, 0.0
	for _, n := range f {
		s += amp * n.at(x, y)
		norm += amp
		amp /= 2
	}
	return s / norm
}
