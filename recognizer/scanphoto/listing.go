package scanphoto

import (
	"fmt"
	"image"
	"image/color"

	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/recognizer/decode"
)

// EncodeListingImage (market.ImageEncoder) returns the stored WebP of a marketplace listing
// photo: decoded like a scan photo (format and size checked, EXIF
// orientation applied, long side at most decode.MaxSide) but not rotated,
// with all metadata dropped. A non-empty watermark (the listing's
// confirmation code) is drawn visibly across the bottom of the photo.
func (Encoder) EncodeListingImage(data []byte, watermark string) ([]byte, error) {
	img, _, err := decode.Decode(data)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	rgba, err := gocv.NewMatFromBytes(b.Dy(), b.Dx(), gocv.MatTypeCV8UC4, img.Pix)
	if err != nil {
		return nil, fmt.Errorf("scanphoto: mat: %w", err)
	}
	defer rgba.Close()
	bgr := gocv.NewMat()
	defer bgr.Close()
	gocv.CvtColor(rgba, &bgr, gocv.ColorRGBAToBGR)
	if watermark != "" {
		drawWatermark(&bgr, watermark)
	}
	buf, err := gocv.IMEncodeWithParams(gocv.FileExt(".webp"), bgr, []int{gocv.IMWriteWebpQuality, Quality})
	if err != nil {
		return nil, fmt.Errorf("scanphoto: encode webp: %w", err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...), nil
}

// drawWatermark darkens a band along the bottom of img and writes text in
// it, scaled to about half the photo's width.
func drawWatermark(img *gocv.Mat, text string) {
	w, h := img.Cols(), img.Rows()
	base := gocv.GetTextSize(text, gocv.FontHersheySimplex, 1, 2)
	scale := 0.5 * float64(w) / float64(max(base.X, 1))
	scale = min(max(scale, 0.3), 6)
	thick := max(1, int(scale*2))
	size := gocv.GetTextSize(text, gocv.FontHersheySimplex, scale, thick)
	band := min(h, size.Y*2+thick*2)
	overlay := img.Clone()
	defer overlay.Close()
	gocv.Rectangle(&overlay, image.Rect(0, h-band, w, h), color.RGBA{0, 0, 0, 255}, -1)
	gocv.AddWeighted(overlay, 0.45, *img, 0.55, 0, img)
	org := image.Pt(max(0, (w-size.X)/2), h-(band-size.Y)/2)
	gocv.PutText(img, text, org, gocv.FontHersheySimplex, scale, color.RGBA{255, 255, 255, 255}, thick)
}
