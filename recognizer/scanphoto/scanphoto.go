// Package scanphoto prepares a scan session's uploaded photo for storage:
// decoded (format and size checked, EXIF orientation applied, long side at
// most decode.MaxSide), rotated +90° clockwise as documented for hand-held
// landscape captures, and re-encoded as WebP with OpenCV, which drops all
// metadata (EXIF, GPS) of the upload.
package scanphoto

import (
	"fmt"

	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/decode"
)

// Quality is the WebP quality (1..100).
const Quality = 90

// Encoder implements catalog.PhotoEncoder.
type Encoder struct{}

var _ catalog.PhotoEncoder = Encoder{}

// EncodeScanPhoto returns the stored WebP of an upload; decode errors are
// the decoder's catalog errors (415, 413, 400).
func (Encoder) EncodeScanPhoto(data []byte) ([]byte, error) {
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
	rot := gocv.NewMat()
	defer rot.Close()
	gocv.Rotate(bgr, &rot, gocv.Rotate90Clockwise)
	buf, err := gocv.IMEncodeWithParams(gocv.FileExt(".webp"), rot, []int{gocv.IMWriteWebpQuality, Quality})
	if err != nil {
		return nil, fmt.Errorf("scanphoto: encode webp: %w", err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...), nil
}
