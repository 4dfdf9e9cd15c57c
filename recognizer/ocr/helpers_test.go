package ocr

import (
	"encoding/json"
	"image"
	"image/color"
	_ "image/jpeg" // test cards are JPEGs
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// testdata is the folder of the real card images and their truth.
const testdata = "../testdata/ocr"

// fontPath is a TrueType font of the toolbox (fonts-dejavu-core).
const fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

// truthCard is one real card image and what is printed on it.
type truthCard struct {
	File      string `json:"file"`
	Name      string `json:"name"`
	PrintCode string `json:"print_code"`
	Size      string `json:"size"`
}

func loadTruth(t testing.TB) []truthCard {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testdata, "cards.json"))
	require.NoError(t, err)
	var doc struct{ Cards []truthCard }
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.NotEmpty(t, doc.Cards)
	return doc.Cards
}

// loadCard decodes a card image and scales it to 420×600, as the
// rectifier hands cards over.
func loadCard(t testing.TB, file string) *image.RGBA {
	t.Helper()
	f, err := os.Open(filepath.Join(testdata, file))
	require.NoError(t, err)
	defer f.Close()
	src, _, err := image.Decode(f)
	require.NoError(t, err)
	dst := image.NewRGBA(image.Rect(0, 0, 420, 600))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

var (
	sharedOnce   sync.Once
	sharedReader *Reader
	sharedErr    error
)

// testReader is one Reader shared by the package's tests (creating
// Tesseract clients is the slow part); it is never closed.
func testReader(t testing.TB) *Reader {
	t.Helper()
	sharedOnce.Do(func() { sharedReader, sharedErr = New(Config{Clients: 2}) })
	require.NoError(t, sharedErr)
	return sharedReader
}

// loadFont returns a face of the toolbox font at px pixels; the font
// (fonts-dejavu-core) is part of the toolbox, so a missing one fails.
func loadFont(t testing.TB, px float64) font.Face {
	t.Helper()
	raw, err := os.ReadFile(fontPath)
	require.NoError(t, err, "the toolbox must have fonts-dejavu-core (run through scripts/toolbox.sh exec)")
	f, err := opentype.Parse(raw)
	require.NoError(t, err)
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	require.NoError(t, err)
	t.Cleanup(func() { face.Close() })
	return face
}

// blankCard is a 420×600 card of one colour.
func blankCard(c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 420, 600))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// drawText writes s on img with its baseline at (x, y) as fractions of
// the card; right aligns the text's end to x instead.
func drawText(img *image.RGBA, face font.Face, s string, x, y float64, c color.Color, right bool) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face}
	px := x * float64(img.Bounds().Dx())
	if right {
		px -= float64(d.MeasureString(s)) / 64
	}
	d.Dot = fixed.P(int(px), int(y*float64(img.Bounds().Dy())))
	d.DrawString(s)
}

// resample shrinks img to width w (keeping the aspect) and enlarges it
// back, which blurs it like a low-resolution scan.
func resample(img *image.RGBA, w int) *image.RGBA {
	b := img.Bounds()
	small := image.NewRGBA(image.Rect(0, 0, w, w*b.Dy()/b.Dx()))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
	out := image.NewRGBA(b)
	draw.CatmullRom.Scale(out, b, small, small.Bounds(), draw.Src, nil)
	return out
}
