package detect

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/catalog"
)

// Overlay returns a copy of img with each detection's outline drawn in
// green, its first corner marked red and its index written inside, for the
// API's "detect only" answer and for debugging.
func Overlay(img *image.RGBA, dets []catalog.Detection) (*image.RGBA, error) {
	cp := image.NewRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	b := img.Bounds()
	for y := 0; y < b.Dy(); y++ {
		off := img.PixOffset(b.Min.X, b.Min.Y+y)
		copy(cp.Pix[y*cp.Stride:], img.Pix[off:off+4*b.Dx()])
	}
	m, err := matFromRGBA(cp)
	if err != nil {
		return nil, fmt.Errorf("detect: overlay: %w", err)
	}
	defer m.Close()
	thick := max(2, int(math.Round(float64(max(b.Dx(), b.Dy()))/400)))
	for i, d := range dets {
		pts := make([]image.Point, 4)
		cx, cy := 0.0, 0.0
		for k, p := range d.Corners {
			pts[k] = image.Pt(int(math.Round(p.X)), int(math.Round(p.Y)))
			cx += p.X / 4
			cy += p.Y / 4
		}
		pv := gocv.NewPointsVectorFromPoints([][]image.Point{pts})
		gocv.Polylines(&m, pv, true, rgba(0, 220, 0), thick)
		pv.Close()
		gocv.Circle(&m, pts[0], 3*thick, rgba(255, 0, 0), -1)
		gocv.PutText(&m, fmt.Sprint(i+1), image.Pt(int(cx), int(cy)), gocv.FontHersheySimplex,
			float64(thick)*0.6, rgba(255, 255, 0), thick)
	}
	return cp, nil
}

// rgba returns a colour for drawing on an RGBA-ordered Mat: gocv passes a
// color.RGBA to OpenCV as a B, G, R, A scalar, so red and blue swap.
func rgba(r, g, b uint8) color.RGBA { return color.RGBA{R: b, G: g, B: r, A: 255} }
