package detect

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

// rectCand is an axis-aligned candidate.
func rectCand(x0, y0, x1, y1, score float64) candidate {
	q := [4]quad.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
	w, h := x1-x0, y1-y0
	return candidate{q: q, area: w * h, score: score, aspect: min(w, h) / max(w, h)}
}

func noSplit([4]quad.Point) bool { return false }

func TestSuppressKeepsTheCardNotItsBoxes(t *testing.T) {
	t.Parallel()
	// The demo Pokémon layout at 1:1 (420×600): a landscape artwork box
	// and a text box, each card-shaped when turned 90°, scoring above the
	// card's own low-contrast outline.
	card := rectCand(100, 100, 520, 700, 0.8)
	art := rectCand(126, 172, 494, 400, 1)
	text := rectCand(114, 400, 506, 686, 1)
	patch := rectCand(130, 180, 280, 395, 1) // a card-shaped patch of the artwork
	got := suppress([]candidate{art, text, patch, card}, noSplit)
	require.Len(t, got, 1)
	require.Equal(t, card.q, got[0].q)
}

func TestSuppressPrefersTheCardToItsFrame(t *testing.T) {
	t.Parallel()
	// A card and its printed frame a border's width inside (IoU 0.89),
	// the frame's edge a little crisper.
	card := rectCand(100, 100, 520, 700, 0.95)
	frame := rectCand(114, 114, 506, 686, 1)
	got := suppress([]candidate{frame, card}, noSplit)
	require.Len(t, got, 1)
	require.Equal(t, card.q, got[0].q)
}

func TestSuppressDropsBinderPageAndBlocks(t *testing.T) {
	t.Parallel()
	// A 3×3 page of 63×88 cards, 4 apart in a margin of 6: the page, a
	// 2×2 block of pockets and a row pair are card-shaped or nearly so.
	const cw, ch, gap, margin = 63.0, 88.0, 4.0, 6.0
	page := rectCand(0, 0, 3*cw+2*gap+2*margin, 3*ch+2*gap+2*margin, 1)
	cands := []candidate{page}
	var cards [][4]quad.Point
	for r := 0; r < 3; r++ {
		for c := 0; c < 3; c++ {
			x := margin + float64(c)*(cw+gap)
			y := margin + float64(r)*(ch+gap)
			k := rectCand(x, y, x+cw, y+ch, 0.85)
			cands = append(cands, k)
			cards = append(cards, k.q)
		}
	}
	block := rectCand(margin, margin, margin+2*cw+gap, margin+2*ch+gap, 0.95)
	pair := rectCand(margin, margin, margin+2*cw+gap, margin+ch, 0.9)
	cands = append(cands, block, pair)
	split := func(q [4]quad.Point) bool { return q == pair.q }
	got := suppress(cands, split)
	require.Len(t, got, 9)
	for _, g := range got {
		require.Contains(t, cards, g.q)
	}
}

// paint fills r of img with c plus uniform noise of ±amp.
func paint(img *image.RGBA, r image.Rectangle, c color.RGBA, amp int, rng *rand.Rand) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			n := func(v uint8) uint8 { return uint8(min(255, max(0, int(v)+rng.IntN(2*amp+1)-amp))) }
			img.SetRGBA(x, y, color.RGBA{n(c.R), n(c.G), n(c.B), 255})
		}
	}
}

func withWorkset(t *testing.T, img *image.RGBA, f func(ws *workset)) {
	t.Helper()
	m, err := matFromRGBA(img)
	require.NoError(t, err)
	defer m.Close()
	ws := newWorkset(m)
	defer ws.close()
	f(ws)
}

func TestSideSupportOfAHueEdge(t *testing.T) {
	t.Parallel()
	// A border as bright as the surface: red rises by 40 where blue falls
	// by 40, so the strongest channel's sign flips along the edge.
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	paint(img, img.Bounds(), color.RGBA{150, 130, 190, 255}, 4, rng)
	paint(img, image.Rect(100, 60, 300, 240), color.RGBA{190, 130, 150, 255}, 4, rng)
	withWorkset(t, img, func(ws *workset) {
		a, b := quad.Point{X: 100, Y: 60}, quad.Point{X: 100, Y: 240}
		up, down, either := edgeSupports(ws.grad, a, b, 3, true)
		t.Logf("hue edge: rising %.2f falling %.2f either %.2f", up, down, either)
		require.Greater(t, either, 0.9)
		require.Greater(t, sideSupport(ws.grad, a, b, 3), 0.9)
	})
}

func TestSplitTellsTwoCardsFromACardsBoxes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{30, 30, 34, 255}}, image.Point{}, draw.Src)
	// Two 126×176 cards, long sides 8 px apart: their outline is 260×176.
	for _, x := range []int{40, 174} {
		paint(img, image.Rect(x, 100, x+126, 276), color.RGBA{150, 90, 40, 255}, 3, rng)
		paint(img, image.Rect(x+8, 108, x+118, 268), color.RGBA{230, 225, 210, 255}, 3, rng)
	}
	pair := [4]quad.Point{{X: 40, Y: 100}, {X: 300, Y: 100}, {X: 300, Y: 276}, {X: 40, Y: 276}}
	// One 176×252 card whose artwork ends at its middle, a border's
	// width short of its sides, above a line of rules text.
	paint(img, image.Rect(400, 100, 576, 352), color.RGBA{235, 200, 60, 255}, 3, rng)
	paint(img, image.Rect(406, 106, 570, 346), color.RGBA{245, 240, 228, 255}, 3, rng)
	paint(img, image.Rect(411, 130, 565, 226), color.RGBA{40, 60, 160, 255}, 3, rng)
	paint(img, image.Rect(414, 236, 562, 239), color.RGBA{120, 115, 105, 255}, 3, rng)
	card := [4]quad.Point{{X: 400, Y: 100}, {X: 576, Y: 100}, {X: 576, Y: 352}, {X: 400, Y: 352}}
	withWorkset(t, img, func(ws *workset) {
		require.True(t, ws.split(pair), "two cards side by side")
		require.False(t, ws.split(card), "a card with a box ending at its middle")
	})
}
