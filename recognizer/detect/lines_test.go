package detect

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/recognizer/internal/quad"
)

func TestMergeCollinear(t *testing.T) {
	t.Parallel()
	mk := func(ax, ay, bx, by float64) segment {
		a, b := quad.Point{X: ax, Y: ay}, quad.Point{X: bx, Y: by}
		return segment{a, b, quad.Dist(a, b)}
	}
	// Two pieces of one side interrupted by a finger, one running the
	// other way, and an unrelated perpendicular run.
	segs := []segment{mk(290, 438, 294, 320), mk(296, 220, 292, 316), mk(98, 452, 290, 438)}
	out := mergeCollinear(segs)
	require.Len(t, out, 2)
	require.InDelta(t, 218, out[0].len, 3)
}
