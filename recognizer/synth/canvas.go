package synth

import (
	"image"
	"math"
)

// canvas is a float RGB working image, 0..255 per channel, so that effects
// compose without intermediate rounding or clipping.
type canvas struct {
	w, h int
	pix  []float32 // 3 per pixel, row-major
}

func newCanvas(w, h int) *canvas {
	return &canvas{w: w, h: h, pix: make([]float32, 3*w*h)}
}

func (c *canvas) fill(r, g, b float64) {
	for i := 0; i < len(c.pix); i += 3 {
		c.pix[i], c.pix[i+1], c.pix[i+2] = float32(r), float32(g), float32(b)
	}
}

// blend mixes colour col into pixel (x, y) with weight a in 0..1.
func (c *canvas) blend(x, y int, col [3]float64, a float64) {
	i := 3 * (y*c.w + x)
	for k := 0; k < 3; k++ {
		c.pix[i+k] = float32(float64(c.pix[i+k])*(1-a) + col[k]*a)
	}
}

// toRGBA quantises the canvas with clipping.
func (c *canvas) toRGBA() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	for i, j := 0, 0; i < len(c.pix); i, j = i+3, j+4 {
		img.Pix[j] = clip8(c.pix[i])
		img.Pix[j+1] = clip8(c.pix[i+1])
		img.Pix[j+2] = clip8(c.pix[i+2])
		img.Pix[j+3] = 255
	}
	return img
}

func clip8(v float32) uint8 {
	switch {
	case v <= 0 || v != v:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// rgbSource is a card image prepared for fast bilinear sampling.
type rgbSource struct {
	w, h int
	pix  []float32
}

func newSource(img image.Image) *rgbSource {
	b := img.Bounds()
	s := &rgbSource{w: b.Dx(), h: b.Dy(), pix: make([]float32, 3*b.Dx()*b.Dy())}
	if rgba, ok := img.(*image.RGBA); ok {
		for y := 0; y < s.h; y++ {
			row := rgba.Pix[(y)*rgba.Stride:]
			for x := 0; x < s.w; x++ {
				i := 3 * (y*s.w + x)
				s.pix[i], s.pix[i+1], s.pix[i+2] = float32(row[4*x]), float32(row[4*x+1]), float32(row[4*x+2])
			}
		}
		return s
	}
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			r, g, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := 3 * (y*s.w + x)
			s.pix[i], s.pix[i+1], s.pix[i+2] = float32(r>>8), float32(g>>8), float32(bb>>8)
		}
	}
	return s
}

// sample returns the bilinear sample at (x, y) in pixel-centre coordinates,
// clamped at the borders.
func (s *rgbSource) sample(x, y float64) [3]float64 {
	x -= 0.5
	y -= 0.5
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	ix, iy := int(x0), int(y0)
	cl := func(v, n int) int { return min(max(v, 0), n-1) }
	xa, xb := cl(ix, s.w), cl(ix+1, s.w)
	ya, yb := cl(iy, s.h), cl(iy+1, s.h)
	var out [3]float64
	for k := 0; k < 3; k++ {
		p00 := float64(s.pix[3*(ya*s.w+xa)+k])
		p10 := float64(s.pix[3*(ya*s.w+xb)+k])
		p01 := float64(s.pix[3*(yb*s.w+xa)+k])
		p11 := float64(s.pix[3*(yb*s.w+xb)+k])
		out[k] = (p00*(1-fx)+p10*fx)*(1-fy) + (p01*(1-fx)+p11*fx)*fy
	}
	return out
}

// borderColour is the mean colour of the outer 5% frame of the image: the
// card's border, which BackgroundSimilar imitates.
func (s *rgbSource) borderColour() [3]float64 {
	var sum [3]float64
	n := 0.0
	bx, by := max(1, s.w/20), max(1, s.h/20)
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			if x >= bx && x < s.w-bx && y >= by && y < s.h-by {
				continue
			}
			i := 3 * (y*s.w + x)
			for k := 0; k < 3; k++ {
				sum[k] += float64(s.pix[i+k])
			}
			n++
		}
	}
	for k := range sum {
		sum[k] /= n
	}
	return sum
}
