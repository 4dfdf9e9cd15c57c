// Package decode turns uploaded photo bytes into an upright, bounded
// *image.RGBA: it sniffs the format from magic bytes (JPEG, PNG, WebP),
// refuses oversized uploads and decompression bombs before decoding, applies
// the EXIF orientation of JPEGs and downscales to at most MaxSide pixels.
// JPEGs are decoded by OpenCV (libjpeg-turbo) at reduced scale when they are
// large (a 12 MP photo at half scale, see ReducedMinSide), so a phone photo
// costs tens of milliseconds; PNG and WebP by the Go decoders.
//
// Every failure is a *catalog.Error whose code the HTTP edge maps directly:
// ETOOLARGE (413), EUNSUPPORTED (415) or EINVALID (400).
package decode

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/collectorstash/csm/catalog"
)

// Limits applied by Decode.
const (
	// MaxBytes is the largest upload accepted (10 MiB).
	MaxBytes = 10 << 20
	// MaxPixels is the largest decoded area accepted (40 megapixels), checked
	// from the header before any pixel is decoded.
	MaxPixels = 40_000_000
	// MaxDimension is the largest accepted width or height in the header.
	MaxDimension = 12000
	// MaxSide is the long side, in pixels, of the returned image: larger
	// photos are downscaled to it. It is 2048 rather than a round 2000 so a
	// 12 MP phone photo decoded at half scale (2016×1512) needs no second
	// resampling pass.
	MaxSide = 2048
)

// Info describes what Decode found and did.
type Info struct {
	// Format is FormatJPEG, FormatPNG or FormatWebP.
	Format string `json:"format"`
	// Width and Height are the stored pixel size, before orientation and
	// downscaling.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Orientation is the EXIF orientation applied, 1..8 (1: none).
	Orientation int `json:"orientation"`
	// Scale is the downscale factor applied (1 when the photo was small
	// enough); returned pixel = stored pixel × Scale.
	Scale float64 `json:"scale"`
}

// Caller-safe messages of Decode's errors.
const (
	msgTooLarge    = "Image larger than 10 MB"
	msgTooManyPix  = "Image dimensions too large (max 40 megapixels, 12000 px per side)"
	msgUnsupported = "Unsupported image type; send JPEG, PNG or WebP"
	msgInvalid     = "Image could not be decoded"
)

// Decode decodes a JPEG, PNG or WebP photo into an upright RGBA image whose
// long side is at most MaxSide, with bounds starting at (0, 0).
func Decode(data []byte) (*image.RGBA, Info, error) {
	info, err := Check(data)
	if err != nil {
		return nil, info, err
	}

	if info.Format == FormatJPEG {
		info.Orientation = exifOrientation(data)
		img, scale, err := decodeJPEG(data, info, info.Orientation, MaxSide)
		if err != nil {
			return nil, info, invalid(err)
		}
		info.Scale = scale
		return img, info, nil
	}
	img, err := safeCall(func() (image.Image, error) { return decodeImage(info.Format, data) })
	if err != nil {
		return nil, info, invalid(fmt.Errorf("decode: %s: %w", info.Format, err))
	}
	if b := img.Bounds(); b.Dx() != info.Width || b.Dy() != info.Height {
		return nil, info, invalid(fmt.Errorf("decode: %s: size %v differs from header %dx%d", info.Format, b.Size(), info.Width, info.Height))
	}

	rgba, scale := toRGBA(img, MaxSide)
	info.Scale = scale
	return rgba, info, nil
}

// Check validates an upload without decoding its pixels: size, format from
// the magic bytes, and the header's dimensions (decompression bombs are
// refused here). It is cheap enough for the HTTP edge to call before a photo
// is stored and queued.
func Check(data []byte) (Info, error) {
	if len(data) > MaxBytes {
		return Info{}, catalog.Errorf(catalog.ETOOLARGE, msgTooLarge)
	}
	info := Info{Format: sniff(data), Orientation: 1, Scale: 1}
	if info.Format == "" {
		return Info{}, catalog.Errorf(catalog.EUNSUPPORTED, msgUnsupported)
	}
	cfg, err := safeCall(func() (image.Config, error) { return decodeConfig(info.Format, data) })
	if err != nil {
		return info, invalid(fmt.Errorf("decode: %s header: %w", info.Format, err))
	}
	info.Width, info.Height = cfg.Width, cfg.Height
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return info, invalid(fmt.Errorf("decode: %s header: empty image %dx%d", info.Format, cfg.Width, cfg.Height))
	}
	if cfg.Width > MaxDimension || cfg.Height > MaxDimension || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		e := catalog.Errorf(catalog.ETOOLARGE, msgTooManyPix)
		e.Err = fmt.Errorf("decode: header says %dx%d", cfg.Width, cfg.Height)
		return info, e
	}
	return info, nil
}

func invalid(err error) error {
	e := catalog.Errorf(catalog.EINVALID, msgInvalid)
	e.Err = err
	return e
}

func decodeConfig(format string, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch format {
	case FormatJPEG:
		return jpeg.DecodeConfig(r)
	case FormatPNG:
		return png.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

func decodeImage(format string, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch format {
	case FormatJPEG:
		return jpeg.Decode(r)
	case FormatPNG:
		return png.Decode(r)
	default:
		return webp.Decode(r)
	}
}

// safeCall runs a third-party decoder step and turns a panic into an error:
// the standard decoders are fuzzed, but an upload must never take the
// process down.
func safeCall[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decoder panic: %v", r)
		}
	}()
	v, err = f()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return v, err
}

// toRGBA converts img to an RGBA image at (0, 0), downscaled with a
// bilinear kernel (which widens its support when shrinking, so it does not
// alias like nearest-neighbour) when its long side exceeds maxSide.
func toRGBA(img image.Image, maxSide int) (*image.RGBA, float64) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	scale := 1.0
	if long := max(w, h); long > maxSide {
		scale = float64(maxSide) / float64(long)
		w = max(1, int(float64(w)*scale+0.5))
		h = max(1, int(float64(h)*scale+0.5))
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	op := xdraw.Src
	if o, ok := img.(interface{ Opaque() bool }); ok && !o.Opaque() {
		// Flatten transparency onto white, as a viewer shows it; the
		// recogniser treats every pixel as opaque.
		xdraw.Draw(dst, dst.Bounds(), image.White, image.Point{}, xdraw.Src)
		op = xdraw.Over
	}
	if scale == 1 {
		xdraw.Draw(dst, dst.Bounds(), img, b.Min, op)
	} else {
		xdraw.BiLinear.Scale(dst, dst.Bounds(), img, b, op, nil)
	}
	return dst, scale
}
