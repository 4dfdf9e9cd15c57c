package decode

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"os"
	"testing"
)

// FuzzDecode checks that Decode never panics and that every failure is one
// of its documented application errors.
func FuzzDecode(f *testing.F) {
	small := quadrants(24, 16)
	jpg := encodeJPEG(f, small)
	f.Add(jpg)
	f.Add(withExif(jpg, 6, false))
	f.Add(withExif(jpg, 7, true))
	f.Add(encodePNG(f, small))
	for _, name := range []string{"testdata/small.lossy.webp", "testdata/small.lossless.webp"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	// the reduced OpenCV path: tiny and huge headers, a wide photo decoded
	// at half scale, truncated scans, wrong or rotated EXIF on a reduced
	// photo, a trailer after the end of image
	f.Add(jpegHeader(f, 1, 1))
	f.Add(jpegHeader(f, 12000, 3333))
	f.Add(jpegHeader(f, 4032, 3024))
	f.Add(jpegHeader(f, 0, 10))
	wide := encodeJPEG(f, quadrants(3300, 40))
	f.Add(wide)
	f.Add(wide[:len(wide)/2])
	f.Add(wide[:len(wide)-2])
	f.Add(withExif(wide, 6, true))
	f.Add(withExif(wide, 9, false))
	f.Add(withExif(wide[:len(wide)/3], 8, false))
	f.Add(append(append([]byte{}, jpg...), 0xFF, 0xD8, 0xFF, 0xD9))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		img, info, err := Decode(data)
		if err != nil {
			switch code := errorCode(err); code {
			case "too_large", "unsupported", "invalid":
			default:
				t.Fatalf("unexpected error code %q: %v", code, err)
			}
			return
		}
		b := img.Bounds()
		if b.Min != (image.Point{}) || b.Dx() <= 0 || b.Dy() <= 0 || max(b.Dx(), b.Dy()) > MaxSide {
			t.Fatalf("bad bounds %v", b)
		}
		if info.Orientation < 1 || info.Orientation > 8 {
			t.Fatalf("bad orientation %d", info.Orientation)
		}
	})
}

// jpegHeader is a small baseline JPEG whose SOF0 claims w×h.
func jpegHeader(f *testing.F, w, h uint16) []byte {
	data := encodeJPEG(f, quadrants(8, 8))
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if i < 0 {
		f.Fatal("no SOF0")
	}
	binary.BigEndian.PutUint16(data[i+5:], h)
	binary.BigEndian.PutUint16(data[i+7:], w)
	return data
}

// FuzzJPEGComplete checks that the truncation scan never panics and never
// refuses a stream the Go decoder decodes whole.
func FuzzJPEGComplete(f *testing.F) {
	jpg := encodeJPEG(f, quadrants(40, 24))
	f.Add(jpg)
	f.Add(jpg[:len(jpg)/2])
	f.Add(withExif(jpg, 3, true))
	f.Add([]byte{0xFF, 0xD8, 0x00, 0x00, 0xFF, 0xD9})
	f.Fuzz(func(t *testing.T, data []byte) {
		ok := jpegComplete(data)
		if _, err := jpeg.Decode(bytes.NewReader(data)); err == nil && !ok {
			t.Fatalf("the Go decoder reads it whole, jpegComplete says truncated")
		}
	})
}
