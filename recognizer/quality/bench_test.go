package quality

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/collectorstash/csm/recognizer/detect"
	"github.com/collectorstash/csm/recognizer/synth"
)

// BenchmarkAssess is the per-call cost on a 1280×960 photo (run with
// -cpu 1).
func BenchmarkAssess(b *testing.B) {
	card := loadCard(b, "23587624.jpg")
	photo, truth := synth.Photo(card, synth.Options{Tilt: 15, Background: synth.BackgroundPlain, Noise: 2, JPEGQuality: 85},
		rand.New(rand.NewPCG(1, 1)))
	rc, err := detect.New().Rectify(context.Background(), photo, truth[0])
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		Assess(photo, rc)
	}
}
