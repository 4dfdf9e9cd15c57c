package detect

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// matFromRGBA returns a 4-channel RGBA Mat sharing img's pixels when the
// rows are packed, or a copy otherwise. The caller closes it and must keep
// img alive and unmodified while the Mat is in use.
func matFromRGBA(img *image.RGBA) (gocv.Mat, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	pix := img.Pix
	if img.Stride != 4*w || b.Min != (image.Point{}) {
		pix = make([]byte, 4*w*h)
		for y := 0; y < h; y++ {
			off := img.PixOffset(b.Min.X, b.Min.Y+y)
			copy(pix[4*w*y:4*w*(y+1)], img.Pix[off:off+4*w])
		}
	}
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC4, pix)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("detect: mat from rgba: %w", err)
	}
	return m, nil
}

// rgbaFromMat copies an 8-bit RGBA, RGB or grey Mat into a new image.RGBA.
// RGB here means channel order R, G, B (as converted from RGBA), not
// OpenCV's usual BGR.
func rgbaFromMat(m gocv.Mat) (*image.RGBA, error) {
	w, h := m.Cols(), m.Rows()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	src := m
	switch m.Channels() {
	case 4:
	case 3:
		src = gocv.NewMat()
		defer src.Close()
		gocv.CvtColor(m, &src, gocv.ColorRGBToRGBA)
	case 1:
		src = gocv.NewMat()
		defer src.Close()
		gocv.CvtColor(m, &src, gocv.ColorGrayToRGBA)
	default:
		return nil, fmt.Errorf("detect: rgba from mat: %d channels", m.Channels())
	}
	data, err := src.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("detect: rgba from mat: %w", err)
	}
	if !src.IsContinuous() || len(data) < len(out.Pix) {
		return nil, fmt.Errorf("detect: rgba from mat: non-continuous %dx%d", w, h)
	}
	copy(out.Pix, data)
	return out, nil
}
