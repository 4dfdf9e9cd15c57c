package synth

import (
	"image"
	"math"

	xdraw "golang.org/x/image/draw"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// shader returns the colour of a plane at (u, v) in the plane's own pixel
// coordinates.
type shader func(u, v float64) [3]float64

// drawPlane paints a w×h rectangle (with corner radius r, in its own
// units) mapped into the canvas by h, anti-aliased along its outline.
func (c *canvas) drawPlane(h quad.H, w, hgt, r float64, colour shader, opacity float64) {
	corners := quad.Rect(w, hgt)
	var q [4]quad.Point
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i, p := range corners {
		q[i] = h.Apply(p)
		minX, maxX = math.Min(minX, q[i].X), math.Max(maxX, q[i].X)
		minY, maxY = math.Min(minY, q[i].Y), math.Max(maxY, q[i].Y)
	}
	inv, ok := h.Inverse()
	if !ok {
		return
	}
	// Canvas pixels per plane unit, for anti-aliasing in canvas pixels.
	s := math.Sqrt(quad.Area(q[:]) / (w * hgt))
	x0, x1 := max(0, int(math.Floor(minX))-1), min(c.w-1, int(math.Ceil(maxX))+1)
	y0, y1 := max(0, int(math.Floor(minY))-1), min(c.h-1, int(math.Ceil(maxY))+1)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			p := inv.Apply(quad.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			a := math.Min(1, math.Max(0, roundedRectSDF(p.X, p.Y, w, hgt, r)*s+0.5))
			if a <= 0 {
				continue
			}
			c.blend(x, y, colour(p.X, p.Y), a*opacity)
		}
	}
}

// roundedRectSDF is the signed distance (positive inside) from (u, v) to the
// outline of the w×h rectangle at the origin with corner radius r.
func roundedRectSDF(u, v, w, h, r float64) float64 {
	dx := math.Min(u, w-u)
	dy := math.Min(v, h-v)
	if dx < r && dy < r {
		return r - math.Hypot(r-dx, r-dy)
	}
	return math.Min(dx, dy)
}

// cardShader samples a card image bilinearly. When the card is drawn much
// smaller than its pixel size the image is first shrunk with Catmull-Rom so
// that the bilinear sampling does not alias; scale is canvas pixels per card
// pixel.
func cardShader(img image.Image, scale float64) (shader, *rgbSource) {
	full := newSource(img)
	src := full
	if scale < 0.66 {
		b := img.Bounds()
		w := max(8, int(float64(b.Dx())*scale*1.25))
		h := max(8, int(float64(b.Dy())*scale*1.25))
		small := image.NewRGBA(image.Rect(0, 0, w, h))
		xdraw.CatmullRom.Scale(small, small.Bounds(), img, b, xdraw.Src, nil)
		src = newSource(small)
	}
	kx, ky := float64(src.w)/float64(full.w), float64(src.h)/float64(full.h)
	return func(u, v float64) [3]float64 { return src.sample(u*kx, v*ky) }, full
}

func solid(col [3]float64) shader { return func(float64, float64) [3]float64 { return col } }
