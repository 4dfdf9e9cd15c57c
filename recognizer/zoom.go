package recognizer

import (
	"context"
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/collectorstash/csm/catalog"
)

// Zoomer re-rectifies a detected card from the photo at a chosen height
// (the detector implements it): corners are clockwise from the card's own
// top-left, as the detector's Rectify returns them.
type Zoomer interface {
	RectifyAt(ctx context.Context, photo *image.RGBA, corners [4]catalog.Point, height int) (*image.RGBA, error)
}

// Zoom limits: a card is re-rectified for reading when the photo shows it
// at least zoomMin times taller than its rectified image, at its height in
// the photo up to zoomMaxHeight pixels (where a collector number's glyphs
// are ~30 px tall, all Tesseract needs).
const (
	zoomMin       = 1.15
	zoomMaxHeight = 1600
)

// readImage is the image of card c to read: for a reprint family (the
// edition is told by the small printed number alone) on a card the photo
// shows larger than its rectified image, the card re-rectified from the
// photo at its own size; else the rectified image. turned says the
// rectified image was turned upside down after rectification.
func (p *Pipeline) readImage(ctx context.Context, photo *image.RGBA, c catalog.RectifiedCard, turned, family bool) (*image.RGBA, error) {
	if p.Zoom == nil || !family || photo == nil {
		return c.Image, nil
	}
	corners := c.Detection.Corners
	if turned {
		corners = [4]catalog.Point{corners[2], corners[3], corners[0], corners[1]}
	}
	h := min(zoomMaxHeight, int(cardHeight(corners)))
	if float64(h) < zoomMin*float64(c.Image.Bounds().Dy()) {
		return c.Image, nil
	}
	img, err := p.Zoom.RectifyAt(ctx, photo, corners, h)
	if err != nil {
		return nil, fmt.Errorf("recognize: zoom: %w", err)
	}
	return img, nil
}

// cardHeight is the longer of the card's two long sides in photo pixels
// (corners clockwise from its top-left).
func cardHeight(c [4]catalog.Point) float64 {
	return max(math.Hypot(c[3].X-c[0].X, c[3].Y-c[0].Y), math.Hypot(c[2].X-c[1].X, c[2].Y-c[1].Y))
}

// reprintFamily says whether the art's favourite is one of several
// printings among the candidates: its edition is then told by the printed
// number alone.
func reprintFamily(ids []int64, infos map[int64]catalog.CardInfo, pool map[int64]catalog.CardInfo) bool {
	if len(ids) == 0 {
		return false
	}
	lead := infos[ids[0]]
	for id, in := range pool {
		if id != lead.ID && strings.EqualFold(in.Name, lead.Name) {
			return true
		}
	}
	return false
}
