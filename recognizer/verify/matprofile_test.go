//go:build matprofile

package verify

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"gocv.io/x/gocv"
)

// TestNoMatLeak runs Match (hits, misses, bad references) and checks that
// every Mat it made was closed. Run: go test -tags matprofile.
func TestNoMatLeak(t *testing.T) {
	before := gocv.MatProfile.Count()
	v := New(Config{CacheSize: 2})
	for _, name := range refs[:3] {
		_, err := v.Match(context.Background(), photographed(t, name), append(refPaths(), "", "/nonexistent.jpg"))
		require.NoError(t, err)
	}
	if n := gocv.MatProfile.Count() - before; n != 0 {
		var b bytes.Buffer
		require.NoError(t, gocv.MatProfile.WriteTo(&b, 1))
		t.Fatalf("%d Mats not closed:\n%s", n, b.String())
	}
}
