package decode

import (
	"image"
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
