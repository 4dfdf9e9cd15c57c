package main

import (
	"image"
	"math"
	"math/bits"
	"sort"
)

// pHash is a 64-bit DCT perceptual hash: the image in grey at 32×32, its
// 2-D DCT-II, the 8×8 lowest frequencies compared with their median (DC
// left out of the median).
type pHash uint64

const hashSide = 32

// dctCos[u][x] = cos((2x+1)uπ / 2N), shared by every hash.
var dctCos = func() [8][hashSide]float64 {
	var t [8][hashSide]float64
	for u := range t {
		for x := range t[u] {
			t[u][x] = math.Cos(float64(2*x+1) * float64(u) * math.Pi / (2 * hashSide))
		}
	}
	return t
}()

// PHash hashes img.
func PHash(img *image.RGBA) pHash {
	g := greyArea(img, hashSide)
	// rows then columns, only the 8 lowest frequencies of each
	var rows [hashSide][8]float64
	for y := 0; y < hashSide; y++ {
		for u := 0; u < 8; u++ {
			var s float64
			for x := 0; x < hashSide; x++ {
				s += g[y*hashSide+x] * dctCos[u][x]
			}
			rows[y][u] = s
		}
	}
	var coef [64]float64
	for v := 0; v < 8; v++ {
		for u := 0; u < 8; u++ {
			var s float64
			for y := 0; y < hashSide; y++ {
				s += rows[y][u] * dctCos[v][y]
			}
			coef[v*8+u] = s
		}
	}
	ac := append([]float64(nil), coef[1:]...)
	sort.Float64s(ac)
	med := (ac[len(ac)/2-1] + ac[len(ac)/2]) / 2
	var h pHash
	for i, c := range coef {
		if c > med {
			h |= 1 << uint(i)
		}
	}
	return h
}

// Distance is the Hamming distance of two hashes.
func (h pHash) Distance(o pHash) int { return bits.OnesCount64(uint64(h ^ o)) }

// greyArea averages img's luma over an n×n grid of boxes.
func greyArea(img *image.RGBA, n int) []float64 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]float64, n*n)
	cnt := make([]float64, n*n)
	for y := 0; y < h; y++ {
		gy := y * n / h
		row := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < w; x++ {
			gx := x * n / w
			p := row[4*x:]
			out[gy*n+gx] += 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
			cnt[gy*n+gx]++
		}
	}
	for i := range out {
		if cnt[i] > 0 {
			out[i] /= cnt[i]
		}
	}
	return out
}

// rotate180 returns img turned upside down.
func rotate180(img *image.RGBA) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	w, h := b.Dx(), b.Dy()
	for y := 0; y < h; y++ {
		o := img.PixOffset(b.Min.X, b.Min.Y+y)
		src := img.Pix[o : o+4*w]
		dst := out.Pix[(h-1-y)*out.Stride:]
		for x := 0; x < w; x++ {
			copy(dst[4*(w-1-x):4*(w-x)], src[4*x:4*x+4])
		}
	}
	return out
}
