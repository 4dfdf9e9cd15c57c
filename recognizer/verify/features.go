package verify

import (
	"errors"
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// descLen is the length in bytes of one ORB descriptor.
const descLen = 32

// greyMat converts img to an 8-bit grey Mat of the same size. The Mat
// borrows the returned bytes; keep them alive until it is closed (gocv
// keeps a reference in the Mat).
func greyMat(img *image.RGBA) (gocv.Mat, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	grey := make([]byte, w*h)
	for y := 0; y < h; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < w; x++ {
			p := row[4*x : 4*x+3 : 4*x+3]
			grey[y*w+x] = uint8((299*int(p[0]) + 587*int(p[1]) + 114*int(p[2]) + 500) / 1000)
		}
	}
	return gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, grey)
}

// readGrey loads the image at path as grey, resized to size.
func readGrey(path string, size image.Point) (gocv.Mat, error) {
	m := gocv.IMRead(path, gocv.IMReadGrayScale)
	if m.Empty() {
		m.Close()
		return gocv.Mat{}, errors.New("unreadable image")
	}
	if m.Cols() == size.X && m.Rows() == size.Y {
		return m, nil
	}
	out := gocv.NewMat()
	interp := gocv.InterpolationArea
	if m.Cols() < size.X {
		interp = gocv.InterpolationLinear
	}
	gocv.Resize(m, &out, size, 0, 0, interp)
	m.Close()
	return out, nil
}

// Region is a rectangle as fractions of the card's width (X) and height (Y).
type Region struct {
	X0, Y0, X1, Y1 float64
}

// maskMat is a mask of a w×h image, set inside r.
func maskMat(w, h int, r Region) (gocv.Mat, error) {
	m := make([]byte, w*h)
	x0, x1 := int(r.X0*float64(w)), int(r.X1*float64(w))
	y0, y1 := int(r.Y0*float64(h)), int(r.Y1*float64(h))
	for y := max(0, y0); y < min(h, y1); y++ {
		for x := max(0, x0); x < min(w, x1); x++ {
			m[y*w+x] = 255
		}
	}
	return gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, m)
}

// extract computes ORB features of a grey image inside r and copies them
// to Go.
func extract(orb *gocv.ORB, grey gocv.Mat, r Region) (*features, error) {
	mask, err := maskMat(grey.Cols(), grey.Rows(), r)
	if err != nil {
		return nil, err
	}
	defer mask.Close()
	kps, desc := orb.DetectAndCompute(grey, mask)
	defer desc.Close()
	f := &features{}
	if len(kps) == 0 || desc.Empty() {
		return f, nil
	}
	if desc.Cols() != descLen || desc.Rows() != len(kps) || desc.Type() != gocv.MatTypeCV8UC1 {
		return nil, fmt.Errorf("unexpected descriptors %dx%d type %v for %d keypoints", desc.Rows(), desc.Cols(), desc.Type(), len(kps))
	}
	f.desc = desc.ToBytes()
	f.pts = make([]point, len(kps))
	for i, k := range kps {
		f.pts[i] = point{float32(k.X), float32(k.Y)}
	}
	return f, nil
}

// descMat wraps f's descriptors in a Mat without copying.
func (f *features) descMat() (gocv.Mat, error) {
	return gocv.NewMatFromBytes(len(f.pts), descLen, gocv.MatTypeCV8UC1, f.desc)
}
