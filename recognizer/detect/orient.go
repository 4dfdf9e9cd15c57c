package detect

import (
	"image"
	"image/color"
	"math"
)

var colorBlack = color.RGBA{0, 0, 0, 255}

// orientBands is the number of horizontal bands of an orientation profile.
const orientBands = 24

// profile describes a rectified card by rows: for each of orientBands
// horizontal bands (over the middle 80% of the width), its mean luminance,
// mean chroma (max−min of R, G, B) and mean horizontal-gradient texture,
// each feature standardised over the bands so that exposure, colour cast
// and contrast drop out. The layout of a card game — name bar, artwork
// window, type line, pale text box, footer — makes a characteristic
// profile from top to bottom.
func profile(card *image.RGBA) [3 * orientBands]float64 {
	b := card.Bounds()
	w, h := b.Dx(), b.Dy()
	x0, x1 := w/10, w-w/10
	var f [3][orientBands]float64
	for band := 0; band < orientBands; band++ {
		y0, y1 := band*h/orientBands, (band+1)*h/orientBands
		var l, c, tex, n float64
		for y := y0; y < y1; y++ {
			row := card.Pix[y*card.Stride:]
			for x := x0; x < x1; x++ {
				r, g, bb := row[4*x], row[4*x+1], row[4*x+2]
				l += 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bb)
				c += float64(int(max(r, g, bb)) - int(min(r, g, bb)))
				if x+1 < x1 {
					tex += math.Abs(float64(row[4*x+5]) - float64(row[4*x+1]))
				}
				n++
			}
		}
		f[0][band], f[1][band], f[2][band] = l/n, c/n, tex/n
	}
	var out [3 * orientBands]float64
	for k := 0; k < 3; k++ {
		mean, sd := 0.0, 0.0
		for _, v := range f[k] {
			mean += v / orientBands
		}
		for _, v := range f[k] {
			sd += (v - mean) * (v - mean) / orientBands
		}
		sd = math.Sqrt(sd) + 1e-6
		for i, v := range f[k] {
			out[k*orientBands+i] = (v - mean) / sd
		}
	}
	return out
}

// uprightScore tells a rectified card from the same card upside down:
// positive when it looks upright. The cue is the card's layout: its row
// profile (see profile) is correlated with the mean profile of upright
// cards (uprightTemplate, measured on the 2,499 real Yu-Gi-Oh! card images
// of the shared data set) and with that of the card turned 180° (the
// profile read bottom to top); the difference is the score, and its size
// the confidence. Luminance alone would fail (the pale text box at the
// bottom outshines the name bar), chroma alone fails on coloured text
// boxes (trap cards); the three features together put the artwork window,
// name bar and text box where the template expects them. Other games have
// other layouts and will need their own template.
func uprightScore(card *image.RGBA) float64 {
	p := profile(card)
	up, down := 0.0, 0.0
	for k := 0; k < 3; k++ {
		for i := 0; i < orientBands; i++ {
			t := uprightTemplate[k*orientBands+i]
			up += p[k*orientBands+i] * t
			down += p[k*orientBands+orientBands-1-i] * t
		}
	}
	return (up - down) / (3 * orientBands)
}
