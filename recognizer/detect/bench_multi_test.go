package detect

import (
	"context"
	"image"
	"math/rand/v2"
	"testing"

	"github.com/collectorstash/csm/recognizer/synth"
)

// Per-call cost on multi-card pages of the demo faces (run with -cpu 1):
// a 40-card dense grid and a sleeved binder page, at 1280×960 and 12 MP.

func benchPage(b *testing.B, layout synth.Layout, count, w, h int) {
	faces := demoImages(b)
	set := make([]image.Image, count)
	for i := range set {
		set[i] = faces[i%len(faces)]
	}
	photo, _ := synth.Sheet(set, layout, synth.Options{Width: w, Height: h, Tilt: 12, Background: synth.BackgroundWood,
		Noise: 2, JPEGQuality: 85, Glare: 0.5, Sleeve: layout == synth.LayoutBinder}, rand.New(rand.NewPCG(1, 1)))
	d := New()
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.Detect(context.Background(), photo); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectDense(b *testing.B)         { benchPage(b, synth.LayoutDense, 40, 1280, 960) }
func BenchmarkDetectDense12MP(b *testing.B)     { benchPage(b, synth.LayoutDense, 40, 4032, 3024) }
func BenchmarkDetectBinderSleeved(b *testing.B) { benchPage(b, synth.LayoutBinder, 9, 1280, 960) }
func BenchmarkDetectBinder12MP(b *testing.B)    { benchPage(b, synth.LayoutBinder, 9, 4032, 3024) }
