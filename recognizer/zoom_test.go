package recognizer

import (
	"context"
	"image"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// fakeZoomer records the corners and height it is asked for.
type fakeZoomer struct {
	corners *[4]catalog.Point
	height  *int
}

func (f fakeZoomer) RectifyAt(_ context.Context, _ *image.RGBA, c [4]catalog.Point, h int) (*image.RGBA, error) {
	*f.corners, *f.height = c, h
	return image.NewRGBA(image.Rect(0, 0, h*7/10, h)), nil
}

func TestReadImageZoomsReprintFamiliesOnly(t *testing.T) {
	t.Parallel()
	var corners [4]catalog.Point
	var height int
	p := &Pipeline{Zoom: fakeZoomer{&corners, &height}}
	photo := image.NewRGBA(image.Rect(0, 0, 1280, 960))
	rect := image.NewRGBA(image.Rect(0, 0, 420, 600))
	// a card 900 px tall in the photo, clockwise from its top-left
	big := [4]catalog.Point{{X: 100, Y: 30}, {X: 730, Y: 30}, {X: 730, Y: 930}, {X: 100, Y: 930}}
	c := catalog.RectifiedCard{Detection: catalog.Detection{Corners: big}, Image: rect}
	ctx := context.Background()

	img, err := p.readImage(ctx, photo, c, false, false)
	require.NoError(t, err)
	require.Same(t, rect, img, "not a reprint family: the rectified image")

	img, err = p.readImage(ctx, photo, c, false, true)
	require.NoError(t, err)
	require.Equal(t, 900, img.Bounds().Dy())
	require.Equal(t, 900, height)
	require.Equal(t, big, corners)

	// turned upside down after rectification: the card's top-left is the
	// opposite corner
	_, err = p.readImage(ctx, photo, c, true, true)
	require.NoError(t, err)
	require.Equal(t, [4]catalog.Point{big[2], big[3], big[0], big[1]}, corners)

	// no larger in the photo than rectified: nothing to gain
	small := [4]catalog.Point{{X: 0, Y: 0}, {X: 440, Y: 0}, {X: 440, Y: 640}, {X: 0, Y: 640}}
	c.Detection.Corners = small
	img, err = p.readImage(ctx, photo, c, false, true)
	require.NoError(t, err)
	require.Same(t, rect, img)

	// a huge card is read at zoomMaxHeight
	c.Detection.Corners = [4]catalog.Point{{X: 0, Y: 0}, {X: 1400, Y: 0}, {X: 1400, Y: 2000}, {X: 0, Y: 2000}}
	_, err = p.readImage(ctx, photo, c, false, true)
	require.NoError(t, err)
	require.Equal(t, zoomMaxHeight, height)
}
