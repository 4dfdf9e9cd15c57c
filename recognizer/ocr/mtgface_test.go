package ocr

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
)

// The MTG layout reads the name, the collector number and the set code of
// a modern-frame face (as the bench's text-only phase renders them), with
// the real Tesseract.
func TestReadMTGFace(t *testing.T) {
	t.Parallel()
	r := testReader(t)
	for _, tc := range []struct{ name, number, set, wantNum string }{
		{"Llanowar Elves", "0168 C", "DOM • EN", "168"},
		{"Serra Angel", "0033 U", "M19 • EN", "33"},
	} {
		face, err := demo.RenderCardSet(catalog.GameMTG, 42, tc.name, tc.number, tc.set)
		require.NoError(t, err)
		got, err := r.Read(context.Background(), face, catalog.GameMTG)
		require.NoError(t, err)
		require.Equal(t, tc.name, got.Name)
		require.Equal(t, tc.wantNum, got.Number)
		require.Equal(t, tc.set[:3], got.SetCode)
	}
}
