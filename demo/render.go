package demo

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Card face size: the recogniser's canonical rectified card.
const (
	FaceW = 420
	FaceH = 600
)

// frame is where a game prints its name and number, as fractions of the
// card (the same places the OCR layouts read), and its frame colour.
type frame struct {
	border            color.RGBA
	nameY, numberY    float64 // text baselines
	nameX, numberX    float64 // text left edges
	artTop, artBot    float64
	nameSize, numSize float64
}

var frames = map[string]frame{
	"pokemon":             {color.RGBA{235, 200, 60, 255}, 0.080, 0.965, 0.07, 0.68, 0.12, 0.50, 26, 17},
	"yugioh":              {color.RGBA{150, 90, 40, 255}, 0.090, 0.740, 0.06, 0.55, 0.18, 0.70, 26, 17},
	"magic-the-gathering": {color.RGBA{40, 40, 40, 255}, 0.080, 0.950, 0.07, 0.05, 0.12, 0.55, 24, 15},
	"flesh-and-blood":     {color.RGBA{120, 30, 30, 255}, 0.080, 0.975, 0.16, 0.05, 0.12, 0.55, 24, 15},
	"lorcana":             {color.RGBA{60, 60, 120, 255}, 0.595, 0.980, 0.07, 0.05, 0.06, 0.54, 24, 15},
	"one-piece":           {color.RGBA{200, 60, 40, 255}, 0.880, 0.838, 0.14, 0.53, 0.06, 0.78, 24, 15},
}

var (
	fontOnce sync.Once
	fontBold *opentype.Font
	fontErr  error
)

// RenderCard draws a licence-clean card face: a frame in the game's colour,
// procedural artwork from artSeed (the demo uses the card id so every card
// looks different; reprints share a seed), and the name and collector number
// where that game prints them, in a bold sans font (Go's, embedded).
func RenderCard(game string, artSeed int64, name, number string) (*image.RGBA, error) {
	fontOnce.Do(func() { fontBold, fontErr = opentype.Parse(gobold.TTF) })
	if fontErr != nil {
		return nil, fmt.Errorf("render: font: %w", fontErr)
	}
	fr, ok := frames[game]
	if !ok {
		fr = frames["pokemon"]
	}
	img := image.NewRGBA(image.Rect(0, 0, FaceW, FaceH))
	draw.Draw(img, img.Bounds(), &image.Uniform{fr.border}, image.Point{}, draw.Src)
	inner := image.Rect(14, 14, FaceW-14, FaceH-14)
	draw.Draw(img, inner, &image.Uniform{color.RGBA{245, 240, 228, 255}}, image.Point{}, draw.Src)
	art := image.Rect(26, int(fr.artTop*FaceH), FaceW-26, int(fr.artBot*FaceH))
	paintArt(img, art, uint64(artSeed))
	paintRules(img, fr, uint64(artSeed))
	if err := drawText(img, name, fr.nameX*FaceW, fr.nameY*FaceH, fr.nameSize); err != nil {
		return nil, err
	}
	if err := drawText(img, number, fr.numberX*FaceW, fr.numberY*FaceH, fr.numSize); err != nil {
		return nil, err
	}
	return img, nil
}

// paintRules draws grey lines where rules text would be, avoiding the name
// and number lines.
func paintRules(img *image.RGBA, fr frame, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0xBEEF))
	grey := color.RGBA{120, 115, 105, 255}
	for y := fr.artBot*FaceH + 24; y < 0.90*FaceH; y += 16 {
		if math.Abs(y-fr.numberY*FaceH) < 28 || math.Abs(y-fr.nameY*FaceH) < 34 {
			continue
		}
		w := 120 + rng.IntN(FaceW-190)
		draw.Draw(img, image.Rect(34, int(y), 34+w, int(y)+5), &image.Uniform{grey}, image.Point{}, draw.Src)
	}
}

func drawText(img *image.RGBA, s string, x, y, size float64) error {
	face, err := opentype.NewFace(fontBold, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return fmt.Errorf("render: face: %w", err)
	}
	defer face.Close()
	d := font.Drawer{Dst: img, Src: image.Black, Face: face, Dot: fixed.P(int(x), int(y))}
	d.DrawString(s)
	return nil
}

// paintArt fills r with a deterministic composition: a two-colour gradient,
// overlapping discs and bands.
func paintArt(img *image.RGBA, r image.Rectangle, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0xC0FFEE))
	hue := func() color.RGBA {
		h := rng.Float64() * 6
		c := [3]float64{}
		i := int(h)
		f := h - float64(i)
		v := []float64{1, 1 - f, 0, 0, f, 1}
		c[0], c[1], c[2] = v[(i+0)%6], v[(i+4)%6], v[(i+2)%6]
		s := 0.5 + rng.Float64()*0.5
		return color.RGBA{uint8(40 + 200*c[0]*s), uint8(40 + 200*c[1]*s), uint8(40 + 200*c[2]*s), 255}
	}
	a, b := hue(), hue()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		t := float64(y-r.Min.Y) / float64(r.Dy())
		for x := r.Min.X; x < r.Max.X; x++ {
			u := (t + float64(x-r.Min.X)/float64(r.Dx())) / 2
			img.SetRGBA(x, y, color.RGBA{lerp(a.R, b.R, u), lerp(a.G, b.G, u), lerp(a.B, b.B, u), 255})
		}
	}
	for n := 0; n < 6+rng.IntN(6); n++ {
		c := hue()
		cx := r.Min.X + rng.IntN(r.Dx())
		cy := r.Min.Y + rng.IntN(r.Dy())
		rad := 12 + rng.IntN(r.Dx()/4)
		if rng.IntN(3) == 0 { // a band
			ang := rng.Float64() * math.Pi
			w := 6 + rng.IntN(20)
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for x := r.Min.X; x < r.Max.X; x++ {
					d := math.Abs(float64(x-cx)*math.Sin(ang) - float64(y-cy)*math.Cos(ang))
					if d < float64(w) {
						img.SetRGBA(x, y, c)
					}
				}
			}
			continue
		}
		for y := max(r.Min.Y, cy-rad); y < min(r.Max.Y, cy+rad); y++ {
			for x := max(r.Min.X, cx-rad); x < min(r.Max.X, cx+rad); x++ {
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) < rad*rad {
					img.SetRGBA(x, y, c)
				}
			}
		}
	}
}

func lerp(a, b uint8, t float64) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t) }

// WritePNG renders into path unless it exists.
func WritePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}

// setLineSize is the text size of the set-code line RenderCardSet adds.
const setLineSize = 13

// RenderCardSet is RenderCard plus the set-code line a game prints under
// its collector number (MTG's modern frame: "0157 C" above "DMU • EN"),
// where the OCR layout reads it; setLine "" draws nothing more, so the
// face is RenderCard's, byte for byte.
func RenderCardSet(game string, artSeed int64, name, number, setLine string) (*image.RGBA, error) {
	img, err := RenderCard(game, artSeed, name, number)
	if err != nil || setLine == "" {
		return img, err
	}
	fr, ok := frames[game]
	if !ok {
		fr = frames["pokemon"]
	}
	y := min(fr.numberY*FaceH+fr.numSize+1, FaceH-15)
	if err := drawText(img, setLine, fr.numberX*FaceW, y, setLineSize); err != nil {
		return nil, err
	}
	return img, nil
}
