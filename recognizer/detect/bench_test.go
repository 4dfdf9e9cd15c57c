package detect

import (
	"context"
	"math/rand/v2"
	"testing"

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
