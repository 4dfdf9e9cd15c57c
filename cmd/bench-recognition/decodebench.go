package main

import (
	"bytes"
	"github.com/collectorstash/csm/cmd/internal/sysload"
	"image"
	"image/jpeg"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/collectorstash/csm/recognizer/decode"
)

// DecodeTimes are timings of decoding one 12 MP photo alone, in this
// process: the Go standard decoder with a bilinear downscale (the decoder
// before the reduced path) and decode.Decode (OpenCV at reduced scale).
type DecodeTimes struct {
	Frame         string
	Bytes         int
	Std, Reduced  []float64 // ms
	Width, Height int       // what decode.Decode returned
	Load          string    // 1-minute load average while measured
}

// decodeRuns are how many times each decoder runs.
const (
	decodeRunsStd     = 3
	decodeRunsReduced = 10
)

// measureDecode times both decoders on the first 4032×3024 photo of the
// set (none: nothing measured).
func measureDecode(singles []Query) DecodeTimes {
	var d DecodeTimes
	var data []byte
	for _, q := range singles {
		if q.Frame() == "4032×3024" {
			data, d.Frame = q.JPEG, q.Frame()
			break
		}
	}
	if data == nil {
		return d
	}
	d.Bytes = len(data)
	d.Load = sysload.Load1()
	for i := 0; i < max(decodeRunsStd, decodeRunsReduced); i++ {
		if i < decodeRunsStd {
			t := time.Now()
			if err := decodeStd(data); err == nil {
				d.Std = append(d.Std, ms(time.Since(t)))
			}
		}
		if i < decodeRunsReduced {
			t := time.Now()
			img, _, err := decode.Decode(data)
			if err == nil {
				d.Reduced = append(d.Reduced, ms(time.Since(t)))
				d.Width, d.Height = img.Bounds().Dx(), img.Bounds().Dy()
			}
		}
	}
	return d
}

// decodeStd is the decode before the reduced path: the Go JPEG decoder on
// every pixel, then a bilinear downscale to decode.MaxSide.
func decodeStd(data []byte) error {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return err
	}
	b := img.Bounds()
	s := min(1, float64(decode.MaxSide)/float64(max(b.Dx(), b.Dy())))
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*s+0.5), int(float64(b.Dy())*s+0.5)))
	xdraw.BiLinear.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	return nil
}
