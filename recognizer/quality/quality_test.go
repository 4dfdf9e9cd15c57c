package quality

import (
	"context"
	"image"
	_ "image/jpeg"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/recognizer/detect"
	"github.com/collectorstash/csm/recognizer/synth"
)

func loadCard(t testing.TB, name string) image.Image {
	t.Helper()
	r, err := os.Open("../testdata/cards/" + name)
	require.NoError(t, err)
	defer r.Close()
	img, _, err := image.Decode(r)
	require.NoError(t, err)
	return img
}

// capture synthesises a photo with opt and assesses it at the ground-truth
// outline, so the test measures quality, not detection.
func capture(t testing.TB, card image.Image, opt synth.Options) (Signals, catalog.CaptureQuality) {
	t.Helper()
	opt.Width, opt.Height = 1024, 768
	if opt.Background == synth.BackgroundRandom {
		opt.Background = synth.BackgroundPlain
	}
	photo, truth := synth.Photo(card, opt, rand.New(rand.NewPCG(42, 1)))
	rc, err := detect.New().Rectify(context.Background(), photo, truth[0])
	require.NoError(t, err)
	s := Measure(photo, rc)
	return s, FromSignals(s)
}

var severity = map[string]int{"none": 0, "mild": 1, "moderate": 2, "severe": 3}
var reliability = map[string]int{"high": 2, "medium": 1, "low": 0}

func TestAssessMovesTheRightFields(t *testing.T) {
	t.Parallel()
	cards := []string{"23587624.jpg", "4068622.jpg", "75676192.jpg"}
	for _, name := range cards {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			card := loadCard(t, name)
			base := synth.Options{Scale: 0.75, Tilt: 10, Noise: 2, JPEGQuality: 90}
			s0, q0 := capture(t, card, base)
			t.Logf("clean: %+v -> %+v", s0, q0)
			require.Equal(t, "none", q0.GlareSeverity)
			require.Equal(t, "high", q0.ColorReliability)
			require.Equal(t, "likely_real", q0.Verdict)
			require.Greater(t, q0.OverallScore, 0.7)

			glare := base
			glare.Glare = 1
			s1, q1 := capture(t, card, glare)
			t.Logf("glare: %+v -> %+v", s1, q1)
			require.Greater(t, severity[q1.GlareSeverity], severity[q0.GlareSeverity])
			require.Greater(t, s1.Clipped, s0.Clipped)
			require.Less(t, q1.OverallScore, q0.OverallScore)

			blur := base
			blur.Blur = 3
			s2, q2 := capture(t, card, blur)
			t.Logf("blur: %+v -> %+v", s2, q2)
			require.Less(t, s2.Sharpness, s0.Sharpness/3)
			require.Less(t, q2.OverallScore, q0.OverallScore-0.2)

			cast := base
			cast.WhiteBalance = [3]float64{1.3, 1, 0.7}
			s3, q3 := capture(t, card, cast)
			t.Logf("cast: %+v -> %+v", s3, q3)
			require.Greater(t, s3.Cast, s0.Cast)
			require.Less(t, reliability[q3.ColorReliability], reliability[q0.ColorReliability])
			require.Less(t, q3.OverallScore, q0.OverallScore)

			screen := base
			screen.Screen = true
			s4, q4 := capture(t, card, screen)
			t.Logf("screen: %+v -> %+v", s4, q4)
			require.Greater(t, q4.FakeRisk, q0.FakeRisk)

			stretched := base
			stretched.Stretch = 1.25
			s5, q5 := capture(t, card, stretched)
			t.Logf("stretched: %+v -> %+v", s5, q5)
			require.Greater(t, q5.FakeRisk, q0.FakeRisk+0.2)
			require.NotEqual(t, "likely_real", q5.Verdict)
		})
	}
}

func TestFromSignalsBounds(t *testing.T) {
	t.Parallel()
	for _, s := range []Signals{{}, {Sharpness: 1e6, Clipped: 1, Bright: 1, Cast: 1, Saturation: 1, Moire: 1e6, AspectError: 1, Area: 1}} {
		q := FromSignals(s)
		require.GreaterOrEqual(t, q.OverallScore, 0.0)
		require.LessOrEqual(t, q.OverallScore, 1.0)
		require.GreaterOrEqual(t, q.FakeRisk, 0.0)
		require.LessOrEqual(t, q.FakeRisk, 1.0)
		require.Contains(t, []string{"high", "medium", "low"}, q.ColorReliability)
		require.Contains(t, []string{"none", "mild", "moderate", "severe"}, q.GlareSeverity)
		require.Contains(t, []string{"likely_real", "uncertain", "suspicious"}, q.Verdict)
	}
}
