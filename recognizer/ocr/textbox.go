package ocr

import (
	"image"
)

// textBox narrows rect to the text line in it: the rows with the most
// horizontal-gradient energy (strokes), then the run of columns holding
// most of that energy, plus a margin. Regions are generous so they survive
// imperfect rectification; the tight box keeps frame edges and artwork out
// of thresholding. It returns rect when no line stands out.
//
// lineH, when > 0, is the expected height of the text in pixels: the band
// is then the lineH-tall window with the most energy, which a thin bright
// frame edge cannot win.
func textBox(img *image.RGBA, rect image.Rectangle, lineH int) image.Rectangle {
	w, h := rect.Dx(), rect.Dy()
	if w < 8 || h < 6 {
		return rect
	}
	lum := make([]int32, w*h)
	for y := 0; y < h; y++ {
		row := img.Pix[img.PixOffset(rect.Min.X, rect.Min.Y+y):]
		for x := 0; x < w; x++ {
			lum[y*w+x] = (299*int32(row[4*x]) + 587*int32(row[4*x+1]) + 114*int32(row[4*x+2])) / 1000
		}
	}
	// Horizontal gradient magnitude: high on vertical strokes, low on the
	// horizontal edges of frames and bars.
	grad := make([]int32, w*h)
	for y := 0; y < h; y++ {
		for x := 1; x < w-1; x++ {
			d := lum[y*w+x+1] - lum[y*w+x-1]
			if d < 0 {
				d = -d
			}
			grad[y*w+x] = d
		}
	}
	rows := make([]int64, h)
	var top int64
	peak := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			rows[y] += int64(grad[y*w+x])
		}
		if rows[y] > top {
			top, peak = rows[y], y
		}
	}
	if top == 0 {
		return rect
	}
	y0, y1 := peak, peak+1
	if lineH > 0 && lineH < h {
		var sum, best int64
		for y := 0; y < h; y++ {
			sum += rows[y]
			if y >= lineH {
				sum -= rows[y-lineH]
			}
			if y >= lineH-1 && sum > best {
				best, y0, y1 = sum, y-lineH+1, y+1
			}
		}
	} else {
		for y0 > 0 && rows[y0-1]*2 >= top {
			y0--
		}
		for y1 < h && rows[y1]*2 >= top {
			y1++
		}
	}
	band := y1 - y0
	m := max(2, band*2/5)
	y0, y1 = max(0, y0-m), min(h, y1+m)

	// Columns: smooth the stroke energy of the band over about a letter,
	// then keep the group of active columns (gaps under two line heights
	// joined) with the most energy.
	cols := make([]int64, w)
	for x := 0; x < w; x++ {
		for y := y0; y < y1; y++ {
			cols[x] += int64(grad[y*w+x])
		}
	}
	r := max(1, band/2)
	smooth := make([]int64, w)
	var ctop int64
	for x := 0; x < w; x++ {
		var s int64
		for k := max(0, x-r); k < min(w, x+r+1); k++ {
			s += cols[k]
		}
		smooth[x] = s
		ctop = max(ctop, s)
	}
	gap := 2 * band
	bestE, bx0, bx1 := int64(-1), 0, w
	for x := 0; x < w; {
		if smooth[x]*4 < ctop {
			x++
			continue
		}
		start, end, e, quiet := x, x+1, int64(0), 0
		for ; x < w && quiet <= gap; x++ {
			if smooth[x]*4 >= ctop {
				end, quiet = x+1, 0
				e += cols[x]
			} else {
				quiet++
			}
		}
		if e > bestE {
			bestE, bx0, bx1 = e, start, end
		}
	}
	mx := max(3, band)
	bx0, bx1 = max(0, bx0-mx), min(w, bx1+mx)
	return image.Rect(rect.Min.X+bx0, rect.Min.Y+y0, rect.Min.X+bx1, rect.Min.Y+y1)
}
