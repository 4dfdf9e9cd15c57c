package scanphoto

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"

	"github.com/collectorstash/csm/catalog"
)

func TestEncodeRotatesClockwiseToWebP(t *testing.T) {
	t.Parallel()
	// 80×40 landscape, left half red, right half blue
	img := image.NewRGBA(image.Rect(0, 0, 80, 40))
	for y := 0; y < 40; y++ {
		for x := 0; x < 80; x++ {
			c := color.RGBA{220, 20, 20, 255}
			if x >= 40 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var in bytes.Buffer
	require.NoError(t, jpeg.Encode(&in, img, &jpeg.Options{Quality: 95}))
	out, err := Encoder{}.EncodeScanPhoto(in.Bytes())
	require.NoError(t, err)
	require.Equal(t, "WEBP", string(out[8:12]))
	got, err := webp.Decode(bytes.NewReader(out))
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 40, 80), got.Bounds(), "portrait after +90°")
	// clockwise: the left (red) half is now on top
	r, _, b, _ := got.At(20, 10).RGBA()
	require.Greater(t, r, b)
	r, _, b, _ = got.At(20, 70).RGBA()
	require.Greater(t, b, r)
	require.NotContains(t, string(out), "Exif")
}

func TestEncodeRejectsNonImages(t *testing.T) {
	t.Parallel()
	_, err := Encoder{}.EncodeScanPhoto([]byte("GIF89a not supported"))
	require.Equal(t, catalog.EUNSUPPORTED, catalog.ErrorCode(err))
}
