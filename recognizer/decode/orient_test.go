package decode

import "image"

// orient is the reference the tests check decodeJPEG's OpenCV orientation
// against (and build stored photos with): it returns src transformed as EXIF orientation o (1..8) prescribes for
// display, so that the result is upright. Orientation 1 returns src itself.
//
//	1 as stored         5 transpose (mirror across the main diagonal)
//	2 mirror left-right 6 rotate 90° clockwise
//	3 rotate 180°       7 transverse (mirror across the anti-diagonal)
//	4 mirror top-bottom 8 rotate 90° counter-clockwise
func orient(src *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			si := sy*src.Stride + 4*sx
			copy(row[4*x:4*x+4], src.Pix[si:si+4])
		}
	}
	return dst
}
