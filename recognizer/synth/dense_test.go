package synth

import (
	"image"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

func TestGridShape(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, cols, rows int }{{40, 8, 5}, {9, 5, 2}, {1, 1, 1}, {60, 10, 6}} {
		c, r := gridShape(tc.n, 0.7, 4.0/3)
		require.GreaterOrEqual(t, c*r, tc.n)
		require.Equal(t, [2]int{tc.cols, tc.rows}, [2]int{c, r}, "n=%d", tc.n)
	}
}

func TestDenseSheetGroundTruth(t *testing.T) {
	t.Parallel()
	cards := loadCards(t)
	set := make([]image.Image, 40)
	for i := range set {
		set[i] = cards[i%len(cards)]
	}
	img, dets := Sheet(set, LayoutDense, Options{Width: 640, Height: 480, Tilt: 20, Sleeve: true, Glare: 0.5}, rand.New(rand.NewPCG(3, 3)))
	require.Equal(t, image.Rect(0, 0, 640, 480), img.Bounds())
	require.Len(t, dets, 40)
	qs := toQuads(dets)
	total := 0.0
	for i, a := range qs {
		for _, p := range a {
			require.True(t, p.X >= 0 && p.Y >= 0 && p.X <= 640 && p.Y <= 480)
		}
		for _, b := range qs[i+1:] {
			require.Less(t, quad.IoU(a, b), 0.03, "cards touch but do not overlap")
		}
		total += dets[i].AreaFraction
	}
	require.Greater(t, total, 0.4, "the deck fills much of the frame (tilted 20°)")
	// the same seed, the same pixels
	img2, _ := Sheet(set, LayoutDense, Options{Width: 640, Height: 480, Tilt: 20, Sleeve: true, Glare: 0.5}, rand.New(rand.NewPCG(3, 3)))
	require.Equal(t, img.Pix, img2.Pix)
}

func TestBinderPocketsWithGlare(t *testing.T) {
	t.Parallel()
	cards := loadCards(t)
	plain, _ := Sheet(cards, LayoutBinder, Options{Width: 400, Height: 300}, rand.New(rand.NewPCG(5, 5)))
	glare, dets := Sheet(cards, LayoutBinder, Options{Width: 400, Height: 300, Glare: 0.9, Sleeve: true}, rand.New(rand.NewPCG(5, 5)))
	require.Len(t, dets, 9)
	clipped := func(img *image.RGBA) int {
		n := 0
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i] == 255 && img.Pix[i+1] == 255 && img.Pix[i+2] >= 250 {
				n++
			}
		}
		return n
	}
	require.Greater(t, clipped(glare), clipped(plain)+50, "the lamp's reflection clips to white")
}
