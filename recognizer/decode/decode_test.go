package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// quadrants returns a w×h image whose quadrants are red (top-left), green
// (top-right), blue (bottom-left) and white (bottom-right).
func quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{255, 0, 0, 255}
			switch {
			case x >= w/2 && y < h/2:
				c = color.RGBA{0, 255, 0, 255}
			case x < w/2 && y >= h/2:
				c = color.RGBA{0, 0, 255, 255}
			case x >= w/2 && y >= h/2:
				c = color.RGBA{255, 255, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}))
	return buf.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// exifSegment builds an APP1 Exif segment holding only IFD0 with an
// Orientation tag, in the given byte order.
func exifSegment(orientation int, bigEndian bool) []byte {
	var bo binary.AppendByteOrder = binary.LittleEndian
	tiff := []byte("II*\x00")
	if bigEndian {
		bo = binary.BigEndian
		tiff = []byte("MM\x00*")
	}
	tiff = bo.AppendUint32(tiff, 8) // IFD0 offset
	tiff = bo.AppendUint16(tiff, 2) // two entries
	// An unrelated tag first (ImageWidth, LONG) so the parser must skip it.
	tiff = bo.AppendUint16(tiff, 0x0100)
	tiff = bo.AppendUint16(tiff, 4)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint32(tiff, 640)
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, uint16(orientation))
	tiff = bo.AppendUint16(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0) // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

// withExif inserts an Exif APP1 segment right after SOI of a JPEG stream.
func withExif(jpg []byte, orientation int, bigEndian bool) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = append(out, exifSegment(orientation, bigEndian)...)
	return append(out, jpg[2:]...)
}

// stored returns how a camera with EXIF orientation o stores the upright
// image up: the inverse of the transform orient applies.
func stored(up *image.RGBA, o int) *image.RGBA {
	inverse := map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}
	return orient(up, inverse[o])
}

func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err)
	var ce *catalog.Error
	require.True(t, errors.As(err, &ce), "want *catalog.Error, got %T: %v", err, err)
	require.Equal(t, code, ce.Code, "error: %v", err)
}

func TestDecodeFormats(t *testing.T) {
	t.Parallel()
	up := quadrants(64, 48)
	webpLossy, err := os.ReadFile("testdata/small.lossy.webp")
	require.NoError(t, err)
	webpLossless, err := os.ReadFile("testdata/small.lossless.webp")
	require.NoError(t, err)
	cases := []struct {
		name   string
		data   []byte
		format string
	}{
		{"jpeg", encodeJPEG(t, up), FormatJPEG},
		{"png", encodePNG(t, up), FormatPNG},
		{"webp lossy", webpLossy, FormatWebP},
		{"webp lossless", webpLossless, FormatWebP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img, info, err := Decode(tc.data)
			require.NoError(t, err)
			require.Equal(t, tc.format, info.Format)
			require.Equal(t, 1, info.Orientation)
			require.Equal(t, 1.0, info.Scale)
			require.Equal(t, image.Pt(info.Width, info.Height), img.Bounds().Size())
			require.Equal(t, image.Point{}, img.Bounds().Min)
		})
	}
}

func TestDecodePNGTransparencyFlattensOnWhite(t *testing.T) {
	t.Parallel()
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8)) // fully transparent
	got, _, err := Decode(encodePNG(t, img))
	require.NoError(t, err)
	require.Equal(t, color.RGBA{255, 255, 255, 255}, got.RGBAAt(3, 3))
}

func TestDecodeExifOrientations(t *testing.T) {
	t.Parallel()
	up := quadrants(80, 40) // landscape, so 5–8 must swap the sides back
	for o := 1; o <= 8; o++ {
		for _, big := range []bool{false, true} {
			data := withExif(encodeJPEG(t, stored(up, o)), o, big)
			img, info, err := Decode(data)
			require.NoError(t, err, "orientation %d", o)
			require.Equal(t, o, info.Orientation)
			require.Equal(t, up.Bounds(), img.Bounds(), "orientation %d", o)
			// Sample each quadrant's centre: JPEG is lossy but these are
			// flat colours far from the edges.
			for _, p := range []image.Point{{20, 10}, {60, 10}, {20, 30}, {60, 30}} {
				want, got := up.RGBAAt(p.X, p.Y), img.RGBAAt(p.X, p.Y)
				require.InDelta(t, want.R, got.R, 40, "orientation %d at %v: %v vs %v", o, p, got, want)
				require.InDelta(t, want.G, got.G, 40, "orientation %d at %v: %v vs %v", o, p, got, want)
				require.InDelta(t, want.B, got.B, 40, "orientation %d at %v: %v vs %v", o, p, got, want)
			}
		}
	}
}

func TestDecodeIgnoresBadExif(t *testing.T) {
	t.Parallel()
	jpg := encodeJPEG(t, quadrants(16, 16))
	for _, o := range []int{0, 9, 0xFFFF} {
		img, info, err := Decode(withExif(jpg, o, false))
		require.NoError(t, err)
		require.Equal(t, 1, info.Orientation)
		require.Equal(t, 16, img.Bounds().Dx())
	}
	// A truncated APP1 segment (length runs past the data) is ignored too.
	seg := exifSegment(6, true)
	broken := append(append([]byte{}, jpg[:2]...), seg[:10]...)
	require.Equal(t, 1, exifOrientation(broken))
}

func TestDecodeDownscales(t *testing.T) {
	t.Parallel()
	big := quadrants(3000, 1000)
	img, info, err := Decode(encodePNG(t, big))
	require.NoError(t, err)
	require.Equal(t, image.Pt(2048, 683), img.Bounds().Size())
	require.InDelta(t, 2048.0/3000, info.Scale, 1e-9)
	require.Equal(t, 3000, info.Width)
	require.Equal(t, 1000, info.Height)
	c := img.RGBAAt(1500, 166) // inside the green quadrant
	require.Equal(t, color.RGBA{0, 255, 0, 255}, c)

	// Orientation and downscale compose: a 1000×3000 stored portrait with
	// orientation 6 comes back as a 2048×683 landscape.
	data := withExif(encodeJPEG(t, stored(big, 6)), 6, false)
	img, info, err = Decode(data)
	require.NoError(t, err)
	require.Equal(t, image.Pt(2048, 683), img.Bounds().Size())
	require.Equal(t, 6, info.Orientation)
}

func TestDecodeTooLarge(t *testing.T) {
	t.Parallel()
	data := make([]byte, MaxBytes+1)
	copy(data, encodeJPEG(t, quadrants(8, 8)))
	_, _, err := Decode(data)
	requireCode(t, err, catalog.ETOOLARGE)
	require.Equal(t, "Image larger than 10 MB", catalog.ErrorMessage(err))
}

// pngWithSize returns a valid small PNG whose IHDR claims w×h (with the CRC
// fixed up), as a decompression bomb's header would.
func pngWithSize(t *testing.T, w, h uint32) []byte {
	data := encodePNG(t, quadrants(4, 4))
	ihdr := data[8:] // length(4) "IHDR" width height ... crc
	binary.BigEndian.PutUint32(ihdr[8:12], w)
	binary.BigEndian.PutUint32(ihdr[12:16], h)
	binary.BigEndian.PutUint32(ihdr[21:25], crc32.ChecksumIEEE(ihdr[4:21]))
	return data
}

// jpegWithSize patches the SOF0 dimensions of a small baseline JPEG.
func jpegWithSize(t *testing.T, w, h uint16) []byte {
	data := encodeJPEG(t, quadrants(8, 8))
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	require.Positive(t, i)
	binary.BigEndian.PutUint16(data[i+5:], h)
	binary.BigEndian.PutUint16(data[i+7:], w)
	return data
}

func TestDecodeBombs(t *testing.T) {
	t.Parallel()
	cases := map[string][]byte{
		"png 8000x8000":  pngWithSize(t, 8000, 8000),
		"png 13000x10":   pngWithSize(t, 13000, 10),
		"png 2^31 wide":  pngWithSize(t, 1<<31-1, 1),
		"jpeg 9000x9000": jpegWithSize(t, 9000, 9000),
		"jpeg 12001x100": jpegWithSize(t, 12001, 100),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Decode(data)
			// 2^31 wide is refused by the PNG header parser itself.
			if name == "png 2^31 wide" && catalog.ErrorCode(err) == catalog.EINVALID {
				return
			}
			requireCode(t, err, catalog.ETOOLARGE)
		})
	}
	// Just under the limits the header is accepted (and the pixel data is
	// then found missing).
	_, _, err := Decode(pngWithSize(t, 12000, 3333))
	requireCode(t, err, catalog.EINVALID)
}

func TestDecodeUnsupported(t *testing.T) {
	t.Parallel()
	var gifBuf bytes.Buffer
	require.NoError(t, gif.Encode(&gifBuf, quadrants(8, 8), nil))
	for name, data := range map[string][]byte{
		"gif":   gifBuf.Bytes(),
		"text":  []byte("hello, this is not an image"),
		"empty": nil,
		"bmp":   []byte("BM\x00\x00\x00\x00"),
		"riff":  []byte("RIFF\x00\x00\x00\x00WAVEfmt "),
	} {
		_, _, err := Decode(data)
		requireCode(t, err, catalog.EUNSUPPORTED)
		require.Equal(t, "Unsupported image type; send JPEG, PNG or WebP", catalog.ErrorMessage(err), name)
	}
}

func TestDecodeCorrupt(t *testing.T) {
	t.Parallel()
	jpg := encodeJPEG(t, quadrants(64, 64))
	pngData := encodePNG(t, quadrants(64, 64))
	webpData, err := os.ReadFile("testdata/small.lossy.webp")
	require.NoError(t, err)
	garbled := append([]byte{}, pngData...)
	for i := 60; i < len(garbled)-20; i++ {
		garbled[i] ^= 0x5A
	}
	cases := map[string][]byte{
		"jpeg truncated":   jpg[:len(jpg)/2],
		"jpeg magic only":  {0xFF, 0xD8, 0xFF},
		"png truncated":    pngData[:len(pngData)/2],
		"png garbled":      garbled,
		"png magic only":   []byte("\x89PNG\r\n\x1a\n"),
		"webp truncated":   webpData[:len(webpData)/2],
		"webp header only": webpData[:12],
	}
	for name, data := range cases {
		_, _, err := Decode(data)
		requireCode(t, err, catalog.EINVALID)
		require.Equal(t, "Image could not be decoded", catalog.ErrorMessage(err), name)
	}
}

func BenchmarkDecode(b *testing.B) {
	// A 1280×960 photo-like JPEG (the synthetic benchmark size).
	img := image.NewRGBA(image.Rect(0, 0, 1280, 960))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + i/5120)
	}
	data := encodeJPEG(b, img)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func errorCode(err error) string { return catalog.ErrorCode(err) }

func TestReduction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ w, h, d int }{
		{4032, 3024, 2}, {3024, 4032, 2}, {1280, 960, 1}, {3198, 100, 1}, {3199, 100, 2},
		{6400, 4800, 4}, {8000, 6000, 4}, {12000, 3333, 4}, {12000, 12000, 4}, {12800, 10, 8}, {1, 1, 1},
	} {
		require.Equal(t, tc.d, reduction(tc.w, tc.h), "%dx%d", tc.w, tc.h)
	}
}

func TestDecodeReducedScale(t *testing.T) {
	t.Parallel()
	big := quadrants(4032, 3024)
	jpg := encodeJPEG(t, big)
	img, info, err := Decode(jpg)
	require.NoError(t, err)
	require.Equal(t, image.Pt(2016, 1512), img.Bounds().Size()) // half scale, no resampling
	require.Equal(t, 4032, info.Width)
	require.InDelta(t, 0.5, info.Scale, 1e-9)
	for _, p := range []struct {
		at   image.Point
		want color.RGBA
	}{{image.Pt(500, 375), color.RGBA{255, 0, 0, 255}}, {image.Pt(1500, 375), color.RGBA{0, 255, 0, 255}},
		{image.Pt(500, 1125), color.RGBA{0, 0, 255, 255}}, {image.Pt(1500, 1125), color.RGBA{255, 255, 255, 255}}} {
		got := img.RGBAAt(p.at.X, p.at.Y)
		require.InDelta(t, p.want.R, got.R, 30, "at %v: %v", p.at, got)
		require.InDelta(t, p.want.G, got.G, 30, "at %v: %v", p.at, got)
		require.InDelta(t, p.want.B, got.B, 30, "at %v: %v", p.at, got)
	}
	// A portrait phone photo stored landscape with orientation 6 comes back
	// upright and reduced.
	img, info, err = Decode(withExif(encodeJPEG(t, stored(quadrants(3024, 4032), 6)), 6, false))
	require.NoError(t, err)
	require.Equal(t, 6, info.Orientation)
	require.Equal(t, image.Pt(1512, 2016), img.Bounds().Size())
	require.InDelta(t, 0, int(img.RGBAAt(1200, 400).R), 30) // green quadrant: top right
	require.InDelta(t, 255, int(img.RGBAAt(1200, 400).G), 30)
	// Truncated in its scan: refused, as the Go decoder refused it.
	_, _, err = Decode(jpg[:len(jpg)*2/3])
	requireCode(t, err, catalog.EINVALID)
}

func TestJPEGComplete(t *testing.T) {
	t.Parallel()
	jpg := encodeJPEG(t, quadrants(64, 48))
	require.True(t, jpegComplete(jpg))
	require.True(t, jpegComplete(append(append([]byte{}, jpg...), "trailer after EOI"...)))
	require.True(t, jpegComplete(withExif(jpg, 6, true)))
	for cut := 0; cut < len(jpg)-1; cut += 7 {
		require.False(t, jpegComplete(jpg[:cut]), "cut at %d", cut)
	}
	require.False(t, jpegComplete(nil))
	require.False(t, jpegComplete([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00}))
}

// decodeStd is the decoder before the reduced OpenCV path (the Go JPEG
// decoder, a bilinear downscale and the Go orientation), kept for the
// before/after benchmark.
func decodeStd(data []byte) (*image.RGBA, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	rgba, _ := toRGBA(img, MaxSide)
	return orient(rgba, exifOrientation(data)), nil
}

// BenchmarkDecode12MP decodes a 4032×3024 phone-photo-like JPEG the old way
// (std) and the new way (reduced).
func BenchmarkDecode12MP(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 4032, 3024))
	for y := 0; y < 3024; y++ {
		for x := 0; x < 4032; x++ {
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = byte(x/7+y/13), byte(x*y/97), byte((x^y)/3), 255
		}
	}
	var buf bytes.Buffer
	require.NoError(b, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}))
	data := buf.Bytes()
	b.Run("std", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeStd(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reduced", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
