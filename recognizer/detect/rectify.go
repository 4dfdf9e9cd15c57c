package detect

import (
	"context"
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// Rectify warps the card outlined by det to a CanonicalW×CanonicalH upright
// image. A card seen in landscape is turned to portrait, and a card found
// upside down (see uprightScore) is turned back, so the four orientations
// are all resolved; the returned Detection has its corners re-ordered
// clockwise from the card's own top-left and Rotation says how far the
// photo's view of the card was turned clockwise to make it upright.
func (d *Detector) Rectify(ctx context.Context, img *image.RGBA, det catalog.Detection) (catalog.RectifiedCard, error) {
	if err := ctx.Err(); err != nil {
		return catalog.RectifiedCard{}, fmt.Errorf("detect: rectify: %w", err)
	}
	c := det.Corners
	if !quad.Convex(c) || quad.Area(c[:]) < 16 {
		return catalog.RectifiedCard{}, catalog.Errorf(catalog.EINVALID, "detection is not a convex quadrilateral")
	}
	c = quad.Order(c)
	// Portrait: the first side (top) must be a short side.
	if quad.Dist(c[0], c[1])+quad.Dist(c[2], c[3]) > quad.Dist(c[1], c[2])+quad.Dist(c[3], c[0]) {
		c = quad.Shift(c, 1)
	}
	card, err := warp(img, c, CanonicalH)
	if err != nil {
		return catalog.RectifiedCard{}, err
	}
	if uprightScore(card) < 0 {
		rotate180(card)
		c = quad.Shift(c, 2)
	}
	det.Corners = c
	return catalog.RectifiedCard{Detection: det, Image: card, Rotation: rotation(c)}, nil
}

// rotation returns the clockwise turn (0, 90, 180 or 270) that makes a card
// whose corners are c (clockwise from its own top-left) upright.
func rotation(c [4]quad.Point) int {
	// The card's "up" direction in the photo and its clockwise angle from
	// the photo's up.
	ux := (c[0].X+c[1].X)/2 - (c[2].X+c[3].X)/2
	uy := (c[0].Y+c[1].Y)/2 - (c[2].Y+c[3].Y)/2
	phi := math.Atan2(ux, -uy) * 180 / math.Pi
	k := int(math.Round(phi/90)) % 4
	return ((4 - k) % 4) * 90
}

// RectifyAt warps the card whose corners are c (clockwise from the card's
// own top-left, as Rectify returns them) to an upright image h pixels tall
// with the canonical aspect: the recogniser re-rectifies a card from the
// photo at its own size to read small print (the collector number) that
// the CanonicalH rectification shrinks.
func (d *Detector) RectifyAt(ctx context.Context, img *image.RGBA, c [4]catalog.Point, h int) (*image.RGBA, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("detect: rectify at: %w", err)
	}
	if h < 16 || h > 4*CanonicalH {
		return nil, fmt.Errorf("detect: rectify at: height %d out of range", h)
	}
	if !quad.Convex(c) || quad.Area(c[:]) < 16 {
		return nil, catalog.Errorf(catalog.EINVALID, "detection is not a convex quadrilateral")
	}
	return warp(img, c, h)
}

// warp maps quad c of img (clockwise from the card's top-left) onto an
// upright rectangle h pixels tall with the canonical aspect.
func warp(img *image.RGBA, c [4]quad.Point, h int) (*image.RGBA, error) {
	w := (h*CanonicalW + CanonicalH/2) / CanonicalH
	src, err := matFromRGBA(img)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	// OpenCV puts pixel centres at integers; our corners are on pixel
	// edges.
	from := make([]gocv.Point2f, 4)
	for i, p := range c {
		from[i] = gocv.Point2f{X: float32(p.X - 0.5), Y: float32(p.Y - 0.5)}
	}
	fw, fh := float32(w), float32(h)
	to := []gocv.Point2f{{X: -0.5, Y: -0.5}, {X: fw - 0.5, Y: -0.5}, {X: fw - 0.5, Y: fh - 0.5}, {X: -0.5, Y: fh - 0.5}}
	fv, tv := gocv.NewPoint2fVectorFromPoints(from), gocv.NewPoint2fVectorFromPoints(to)
	defer fv.Close()
	defer tv.Close()
	m := gocv.GetPerspectiveTransform2f(fv, tv)
	defer m.Close()
	if m.Empty() {
		return nil, fmt.Errorf("detect: rectify: degenerate quadrilateral")
	}
	// A card much larger than the canonical size is smoothed first so the
	// bilinear warp does not alias its print.
	input := src
	if s := math.Sqrt(quad.Area(c[:]) / float64(w*h)); s > 1.6 {
		blurred := gocv.NewMat()
		defer blurred.Close()
		sigma := 0.4 * s
		gocv.GaussianBlur(src, &blurred, image.Pt(0, 0), sigma, sigma, gocv.BorderReplicate)
		input = blurred
	}
	out := gocv.NewMat()
	defer out.Close()
	gocv.WarpPerspectiveWithParams(input, &out, m, image.Pt(w, h),
		gocv.InterpolationLinear, gocv.BorderReplicate, colorBlack)
	return rgbaFromMat(out)
}

// rotate180 turns img upside down in place.
func rotate180(img *image.RGBA) {
	p := img.Pix
	n := len(p) / 4
	for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
		a, b := p[4*i:4*i+4], p[4*j:4*j+4]
		for k := 0; k < 4; k++ {
			a[k], b[k] = b[k], a[k]
		}
	}
}
