//go:build matprofile

package detect

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/recognizer/quality"
)

// TestNoMatLeaks runs every Mat-using path (quality.Assess included) and checks that each Mat it
// created was closed. Run with -tags matprofile:
//
//	scripts/toolbox.sh exec go test -tags matprofile -run TestNoMatLeaks ./recognizer/detect
func TestNoMatLeaks(t *testing.T) {
	scenes := append(singleScenes(loadCards(t), 2, 800, 600, 4), sheetScenes(loadCards(t), 0, 1, 800, 600, 4)...)
	d := New()
	before := gocv.MatProfile.Count()
	for _, s := range scenes {
		dets, err := d.Detect(context.Background(), s.img)
		require.NoError(t, err)
		for _, det := range dets {
			rc, err := d.Rectify(context.Background(), s.img, det)
			require.NoError(t, err)
			quality.Assess(s.img, rc)
		}
		_, err = Overlay(s.img, dets)
		require.NoError(t, err)
	}
	require.Equal(t, before, gocv.MatProfile.Count(), "unclosed Mats")
}
