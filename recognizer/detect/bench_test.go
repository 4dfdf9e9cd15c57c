package detect

import (
	"context"
	"image"
	"math/rand/v2"
	"testing"

	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/recognizer/synth"
)

// Per-call cost on a 1280×960 photo of one card (run with -cpu 1).

func BenchmarkDetect(b *testing.B) {
	cards := loadCards(b)
	photo, _ := synth.Photo(cards[0], synth.Options{Tilt: 20, Rotation: 8, Background: synth.BackgroundWood,
		Light: 0.3, Noise: 3, JPEGQuality: 85}, rand.New(rand.NewPCG(1, 1)))
	d := New()
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.Detect(context.Background(), photo); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectBinder(b *testing.B) {
	photo, _ := synth.Sheet(loadCards(b), synth.LayoutBinder, synth.Options{Tilt: 10, Background: synth.BackgroundWood,
		Noise: 2, JPEGQuality: 85}, rand.New(rand.NewPCG(1, 1)))
	d := New()
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.Detect(context.Background(), photo); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRectify(b *testing.B) {
	cards := loadCards(b)
	photo, truth := synth.Photo(cards[0], synth.Options{Tilt: 20, Rotation: 188, Background: synth.BackgroundPlain,
		Noise: 3, JPEGQuality: 85}, rand.New(rand.NewPCG(1, 1)))
	d := New()
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.Rectify(context.Background(), photo, truth[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGridSteps is the cost grid splitting and completion add to a
// single-card photo's detection (the steps after suppression), for
// comparison with BenchmarkDetect.
func BenchmarkGridSteps(b *testing.B) {
	cards := loadCards(b)
	photo, _ := synth.Photo(cards[0], synth.Options{Tilt: 20, Rotation: 8, Background: synth.BackgroundClutter,
		Light: 0.3, Noise: 3, JPEGQuality: 85}, rand.New(rand.NewPCG(1, 1)))
	d := New()
	full, err := matFromRGBA(photo)
	if err != nil {
		b.Fatal(err)
	}
	defer full.Close()
	work := gocv.NewMat()
	defer work.Close()
	scale := float64(DefaultWorkSize) / float64(photo.Bounds().Dx())
	gocv.Resize(full, &work, image.Pt(DefaultWorkSize, int(float64(photo.Bounds().Dy())*scale+0.5)), 0, 0, gocv.InterpolationArea)
	ws := newWorkset(work)
	defer ws.close()
	cands, err := d.candidates(context.Background(), ws)
	if err != nil {
		b.Fatal(err)
	}
	kept := suppress(cands, ws.split)
	frame := float64(ws.w * ws.h)
	b.ResetTimer()
	for b.Loop() {
		k := d.splitGrids(ws, kept, cands, d.minArea()*frame)
		d.completeGrid(ws, k, d.minArea()*frame, 0.97*frame)
	}
}
