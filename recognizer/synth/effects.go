package synth

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// light multiplies the canvas by a directional gradient and a vignette of
// the given strength (0..1).
func (c *canvas) light(strength float64, rng *rand.Rand) {
	if strength <= 0 {
		return
	}
	dir := rng.Float64() * 2 * math.Pi
	dx, dy := math.Cos(dir), math.Sin(dir)
	vx, vy := float64(c.w)*(0.3+0.4*rng.Float64()), float64(c.h)*(0.3+0.4*rng.Float64())
	diag := math.Hypot(float64(c.w), float64(c.h)) / 2
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			fx, fy := float64(x), float64(y)
			g := ((fx-float64(c.w)/2)*dx + (fy-float64(c.h)/2)*dy) / diag // -1..1
			r2 := ((fx-vx)*(fx-vx) + (fy-vy)*(fy-vy)) / (diag * diag)
			m := float32(1 + strength*(0.4*g-0.35*r2))
			i := 3 * (y*c.w + x)
			c.pix[i] *= m
			c.pix[i+1] *= m
			c.pix[i+2] *= m
		}
	}
}

// glare adds an elliptical specular highlight centred at p with radius r
// pixels; strength 1 adds 330 levels at its centre (clipping to white).
func (c *canvas) glare(p quad.Point, r, strength float64, rng *rand.Rand) {
	if strength <= 0 {
		return
	}
	rot := rng.Float64() * math.Pi
	ax, ay := r*(1+rng.Float64()), r*(0.5+0.5*rng.Float64())
	cs, sn := math.Cos(rot), math.Sin(rot)
	peak := 330 * strength
	ext := 3 * math.Max(ax, ay)
	x0, x1 := max(0, int(p.X-ext)), min(c.w-1, int(p.X+ext))
	y0, y1 := max(0, int(p.Y-ext)), min(c.h-1, int(p.Y+ext))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			dx, dy := float64(x)-p.X, float64(y)-p.Y
			u, v := (dx*cs+dy*sn)/ax, (-dx*sn+dy*cs)/ay
			d2 := u*u + v*v
			if d2 > 9 {
				continue
			}
			// A flat-topped core with a soft falloff, as a lamp's reflection.
			a := peak * math.Exp(-d2*d2/2)
			i := 3 * (y*c.w + x)
			c.pix[i] += float32(a)
			c.pix[i+1] += float32(a * 0.98)
			c.pix[i+2] += float32(a * 0.93)
		}
	}
}

// whiteBalance multiplies the channels by g (zero means neutral).
func (c *canvas) whiteBalance(g [3]float64) {
	if g == ([3]float64{}) || g == ([3]float64{1, 1, 1}) {
		return
	}
	for i := 0; i < len(c.pix); i += 3 {
		c.pix[i] *= float32(g[0])
		c.pix[i+1] *= float32(g[1])
		c.pix[i+2] *= float32(g[2])
	}
}

// screen makes the canvas look photographed off a display: a moiré beat of
// two fine gratings, a pixel-grid pattern, a third less saturation and a
// cool cast.
func (c *canvas) screen(rng *rand.Rand) {
	a1 := rng.Float64() * math.Pi
	a2 := a1 + 0.05 + 0.1*rng.Float64()
	f1, f2 := 0.30+0.1*rng.Float64(), 0.31+0.1*rng.Float64()
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			fx, fy := float64(x), float64(y)
			g1 := math.Sin(2 * math.Pi * f1 * (fx*math.Cos(a1) + fy*math.Sin(a1)))
			g2 := math.Sin(2 * math.Pi * f2 * (fx*math.Cos(a2) + fy*math.Sin(a2)))
			m := 1 + 0.18*g1*g2
			if x%3 == 0 || y%3 == 0 { // pixel grid lines
				m *= 0.92
			}
			i := 3 * (y*c.w + x)
			l := 0.299*c.pix[i] + 0.587*c.pix[i+1] + 0.114*c.pix[i+2]
			for k, cast := range [3]float32{0.93, 0.99, 1.08} {
				v := l + (c.pix[i+k]-l)*0.65
				c.pix[i+k] = v * cast * float32(m)
			}
		}
	}
}

// gaussian blurs the canvas with sigma in pixels (three box blurs).
func (c *canvas) gaussian(sigma float64) {
	if sigma <= 0.2 {
		return
	}
	// Box widths for 3 passes approximating the Gaussian (Kovesi).
	wIdeal := math.Sqrt(12*sigma*sigma/3 + 1)
	r := max(1, int(wIdeal/2))
	tmp := make([]float32, len(c.pix))
	for pass := 0; pass < 3; pass++ {
		boxH(c.pix, tmp, c.w, c.h, r)
		boxV(tmp, c.pix, c.w, c.h, r)
	}
}

func boxH(src, dst []float32, w, h, r int) {
	n := float32(2*r + 1)
	for y := 0; y < h; y++ {
		row := src[3*y*w : 3*(y+1)*w]
		out := dst[3*y*w : 3*(y+1)*w]
		for k := 0; k < 3; k++ {
			var s float32
			for x := -r; x <= r; x++ {
				s += row[3*min(max(x, 0), w-1)+k]
			}
			for x := 0; x < w; x++ {
				out[3*x+k] = s / n
				s += row[3*min(x+r+1, w-1)+k] - row[3*max(x-r, 0)+k]
			}
		}
	}
}

func boxV(src, dst []float32, w, h, r int) {
	n := float32(2*r + 1)
	for x := 0; x < w; x++ {
		for k := 0; k < 3; k++ {
			var s float32
			for y := -r; y <= r; y++ {
				s += src[3*(min(max(y, 0), h-1)*w+x)+k]
			}
			for y := 0; y < h; y++ {
				dst[3*(y*w+x)+k] = s / n
				s += src[3*(min(y+r+1, h-1)*w+x)+k] - src[3*(max(y-r, 0)*w+x)+k]
			}
		}
	}
}

// motion applies a linear motion blur of length l pixels in a random
// direction.
func (c *canvas) motion(l float64, rng *rand.Rand) {
	if l < 1 {
		return
	}
	th := rng.Float64() * math.Pi
	dx, dy := math.Cos(th), math.Sin(th)
	n := int(math.Ceil(l)) + 1
	src := &rgbSource{w: c.w, h: c.h, pix: append([]float32(nil), c.pix...)}
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			var s [3]float64
			for j := 0; j < n; j++ {
				t := (float64(j)/float64(n-1) - 0.5) * l
				v := src.sample(float64(x)+0.5+t*dx, float64(y)+0.5+t*dy)
				s[0] += v[0]
				s[1] += v[1]
				s[2] += v[2]
			}
			i := 3 * (y*c.w + x)
			c.pix[i] = float32(s[0] / float64(n))
			c.pix[i+1] = float32(s[1] / float64(n))
			c.pix[i+2] = float32(s[2] / float64(n))
		}
	}
}

// noise adds Gaussian sensor noise of sigma levels: half shared between
// channels (luminance), the rest per channel (chroma).
func (c *canvas) noise(sigma float64, rng *rand.Rand) {
	if sigma <= 0 {
		return
	}
	for i := 0; i < len(c.pix); i += 3 {
		l := float32(rng.NormFloat64() * sigma * 0.7)
		c.pix[i] += l + float32(rng.NormFloat64()*sigma*0.5)
		c.pix[i+1] += l + float32(rng.NormFloat64()*sigma*0.5)
		c.pix[i+2] += l + float32(rng.NormFloat64()*sigma*0.5)
	}
}

// reencode runs img through JPEG at quality q and returns the decoded
// pixels, as a phone's camera pipeline or an upload would.
func reencode(img *image.RGBA, q int) *image.RGBA {
	if q <= 0 {
		return img
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: min(q, 100)}); err != nil {
		return img
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		return img
	}
	out := image.NewRGBA(dec.Bounds())
	draw.Draw(out, out.Bounds(), dec, image.Point{}, draw.Src)
	return out
}

// finger paints a finger: a shaded skin-coloured capsule from a (outside
// the card) to b (over its edge) of radius r.
func (c *canvas) finger(a, b quad.Point, r float64, skin [3]float64) {
	minX, maxX := math.Min(a.X, b.X)-r, math.Max(a.X, b.X)+r
	minY, maxY := math.Min(a.Y, b.Y)-r, math.Max(a.Y, b.Y)+r
	x0, x1 := max(0, int(minX)), min(c.w-1, int(maxX)+1)
	y0, y1 := max(0, int(minY)), min(c.h-1, int(maxY)+1)
	vx, vy := b.X-a.X, b.Y-a.Y
	l2 := vx*vx + vy*vy
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			px, py := float64(x)+0.5-a.X, float64(y)+0.5-a.Y
			t := math.Max(0, math.Min(1, (px*vx+py*vy)/l2))
			d := math.Hypot(px-t*vx, py-t*vy)
			al := math.Min(1, math.Max(0, r-d+0.5))
			if al <= 0 {
				continue
			}
			k := math.Min(1, d/r)
			shade := 0.7 + 0.3*math.Sqrt(1-k*k)
			c.blend(x, y, [3]float64{skin[0] * shade, skin[1] * shade, skin[2] * shade}, al)
		}
	}
}
