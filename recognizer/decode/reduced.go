package decode

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// ReducedMinSide is the least long side, in pixels, that a reduced-scale
// JPEG decode keeps: a 4032×3024 photo decodes at half scale (2016×1512),
// never at a quarter (1008×756), so printed numbers stay legible.
const ReducedMinSide = 1600

// reduction is the JPEG decoder's scale denominator (1, 2, 4 or 8) for a
// stored w×h photo: the largest whose output keeps the long side at least
// ReducedMinSide. libjpeg then skips most of the inverse DCT work instead of
// decoding every pixel and throwing three quarters away.
func reduction(w, h int) int {
	long := max(w, h)
	for _, d := range []int{8, 4, 2} {
		if (long+d-1)/d >= ReducedMinSide {
			return d
		}
	}
	return 1
}

// reducedFlag is OpenCV's decode flag for denominator d, colour, EXIF
// orientation left to this package.
func reducedFlag(d int) gocv.IMReadFlag {
	f := gocv.IMReadColor
	switch d {
	case 2:
		f = gocv.IMReadReducedColor2
	case 4:
		f = gocv.IMReadReducedColor4
	case 8:
		f = gocv.IMReadReducedColor8
	}
	return f | gocv.IMReadIgnoreOrientation
}

// decodeJPEG decodes a checked JPEG with OpenCV (libjpeg-turbo) at reduced
// scale (reduction), downscales it to at most maxSide with area averaging,
// turns it upright as EXIF orientation o prescribes and returns it as RGBA
// with the scale applied (returned pixel = stored pixel × scale).
func decodeJPEG(data []byte, info Info, o, maxSide int) (*image.RGBA, float64, error) {
	if !jpegComplete(data) {
		// libjpeg fills a truncated scan with grey and only warns.
		return nil, 0, fmt.Errorf("decode: jpeg: truncated (no end of image after the scans)")
	}
	d := reduction(info.Width, info.Height)
	m, err := gocv.IMDecode(data, reducedFlag(d))
	if err != nil {
		return nil, 0, fmt.Errorf("decode: jpeg: %w", err)
	}
	defer m.Close()
	if m.Empty() || m.Channels() != 3 {
		return nil, 0, fmt.Errorf("decode: jpeg: opencv returned no colour image")
	}
	w, h := m.Cols(), m.Rows()
	if w != (info.Width+d-1)/d || h != (info.Height+d-1)/d {
		return nil, 0, fmt.Errorf("decode: jpeg: size %dx%d at 1/%d differs from header %dx%d", w, h, d, info.Width, info.Height)
	}
	cur := m
	var tmp []gocv.Mat
	defer func() {
		for i := range tmp {
			tmp[i].Close()
		}
	}()
	next := func() *gocv.Mat {
		tmp = append(tmp, gocv.NewMat())
		return &tmp[len(tmp)-1]
	}
	if long := max(w, h); long > maxSide {
		s := float64(maxSide) / float64(long)
		sz := image.Pt(max(1, int(float64(w)*s+0.5)), max(1, int(float64(h)*s+0.5)))
		dst := next()
		gocv.Resize(cur, dst, sz, 0, 0, gocv.InterpolationArea)
		cur = *dst
	}
	scale := float64(cur.Cols()) / float64(info.Width)
	if o >= 2 && o <= 8 {
		dst := next()
		orientMat(cur, dst, o)
		cur = *dst
	}
	rgba := next()
	gocv.CvtColor(cur, rgba, gocv.ColorBGRToRGBA)
	pix, err := rgba.DataPtrUint8()
	if err != nil {
		return nil, 0, fmt.Errorf("decode: jpeg: %w", err)
	}
	out := image.NewRGBA(image.Rect(0, 0, rgba.Cols(), rgba.Rows()))
	if len(pix) != len(out.Pix) {
		return nil, 0, fmt.Errorf("decode: jpeg: %d bytes of pixels for %v", len(pix), out.Bounds())
	}
	copy(out.Pix, pix)
	return out, scale, nil
}

// orientMat writes src transformed as EXIF orientation o (2..8) prescribes
// for display into dst:
//
//	2 mirror left-right 6 rotate 90° clockwise
//	3 rotate 180°       7 transverse (mirror across the anti-diagonal)
//	4 mirror top-bottom 8 rotate 90° counter-clockwise
//	5 transpose (mirror across the main diagonal)
func orientMat(src gocv.Mat, dst *gocv.Mat, o int) {
	switch o {
	case 2:
		gocv.Flip(src, dst, 1)
	case 3:
		gocv.Rotate(src, dst, gocv.Rotate180Clockwise)
	case 4:
		gocv.Flip(src, dst, 0)
	case 5:
		gocv.Transpose(src, dst)
	case 6:
		gocv.Rotate(src, dst, gocv.Rotate90Clockwise)
	case 7:
		t := gocv.NewMat()
		defer t.Close()
		gocv.Transpose(src, &t)
		gocv.Rotate(t, dst, gocv.Rotate180Clockwise)
	case 8:
		gocv.Rotate(src, dst, gocv.Rotate90CounterClockwise)
	}
}

// jpegComplete reports whether a JPEG stream's marker segments and
// entropy-coded scans run through to an end-of-image marker. It walks the
// segments and skips each scan's data up to the next real marker (not a
// stuffed 0xFF00, a restart marker or fill bytes); every offset is
// bounds-checked, so malformed data yields false, never a panic.
func jpegComplete(data []byte) bool {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return false
	}
	i := 2
	for i+1 < len(data) {
		if data[i] != 0xFF {
			// extraneous bytes between segments: libjpeg and Go's
			// decoder skip them to the next marker, so does this
			j := bytes.IndexByte(data[i:], 0xFF)
			if j < 0 {
				return false
			}
			i += j
			continue
		}
		m := data[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0xD9:
			return true
		case m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			i += 2
			continue
		}
		if i+4 > len(data) {
			return false
		}
		n := int(binary.BigEndian.Uint16(data[i+2 : i+4]))
		if n < 2 {
			return false
		}
		i += 2 + n
		if i > len(data) {
			return false
		}
		if m != 0xDA {
			continue
		}
		for { // the scan's entropy-coded data
			j := bytes.IndexByte(data[i:], 0xFF)
			if j < 0 || i+j+1 >= len(data) {
				return false
			}
			i += j
			if nb := data[i+1]; nb == 0x00 || (nb >= 0xD0 && nb <= 0xD7) {
				i += 2
				continue
			}
			if data[i+1] == 0xFF {
				i++
				continue
			}
			break
		}
	}
	return false
}
