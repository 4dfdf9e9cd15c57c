package vectors_test

import (
	"context"
	"errors"
	"image"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/vectors"
)

// fakeEmbedder maps an image to a vector from its first pixel: a fake of our
// own interface, so the test exercises real pgvector with known geometry.
type fakeEmbedder struct {
	version string
	dim     int
}

func (f fakeEmbedder) Dim() int             { return f.dim }
func (f fakeEmbedder) ModelVersion() string { return f.version }
func (f fakeEmbedder) Embed(_ context.Context, cards []*image.RGBA) ([][]float32, error) {
	out := make([][]float32, len(cards))
	for i, c := range cards {
		out[i] = vec(f.dim, float64(c.Pix[0]))
	}
	return out, nil
}

// vec is a unit vector at angle a degrees in the first two dimensions.
func vec(dim int, a float64) []float32 {
	v := make([]float32, dim)
	v[0], v[1] = float32(math.Cos(a*math.Pi/180)), float32(math.Sin(a*math.Pi/180))
	return v
}

type fixture struct {
	ctx context.Context
	db  *postgres.DB
	idx *vectors.Index
}

func setup(t *testing.T) fixture {
	t.Helper()
	db, _ := pgtest.New(t)
	ctx := context.Background()
	for _, g := range []struct{ slug, set string }{{"pokemon", "p1"}, {"yugioh", "y1"}} {
		gid, err := db.UpsertGame(ctx, catalog.GameInfo{Slug: g.slug, Name: g.slug})
		require.NoError(t, err)
		s := catalog.ImportSet{Code: g.set, Name: g.set}
		for i := 0; i < 5; i++ {
			n := string(rune('a'+i)) + g.set
			s.Cards = append(s.Cards, catalog.ImportCard{Name: n, CollectorNumber: n,
				Images:    []catalog.ImportImage{{URL: "/static/" + n, Source: "test", Format: "png", Path: n}},
				Printings: []catalog.ImportPrinting{{PrintRun: "u", Variants: []catalog.ImportVariant{{Finish: "normal", Label: "standard"}}}}})
		}
		_, err = db.UpsertSet(ctx, gid, s)
		require.NoError(t, err)
	}
	return fixture{ctx, db, vectors.New(db.Pool)}
}

// load paints an image whose first pixel encodes the card: angle 10·index
// (+100 for yugioh), so neighbours are predictable.
func load(path string) (*image.RGBA, error) {
	if path == "broken" {
		return nil, errors.New("unreadable")
	}
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	a := 10 * (path[0] - 'a')
	if path[1:] == "y1" {
		a += 100
	}
	img.Pix[0] = a
	return img, nil
}

func TestBuildSearchAndSwitch(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := f.idx.Search(f.ctx, "", vec(8, 0), 3, "")
	require.Equal(t, catalog.EUNAVAILABLE, catalog.ErrorCode(err), "no active model yet")

	rep, err := f.idx.Build(f.ctx, fakeEmbedder{"test-v1", 8}, load, 3, nil)
	require.NoError(t, err)
	require.Equal(t, 10, rep.Embedded)
	active, err := f.idx.Active(f.ctx)
	require.NoError(t, err)
	require.Equal(t, "test-v1", active)

	hits, err := f.idx.Search(f.ctx, "", vec(8, 21), 3, "")
	require.NoError(t, err)
	require.Len(t, hits, 3)
	require.Equal(t, "cp1", hits[0].Path, "nearest angle 20")
	require.InDelta(t, 1-math.Cos(math.Pi/180), hits[0].Distance, 1e-4)

	// game filter: the nearest yugioh card to angle 21 is angle 100
	hits, err = f.idx.Search(f.ctx, "", vec(8, 21), 2, "yugioh")
	require.NoError(t, err)
	require.Equal(t, "ay1", hits[0].Path)

	// a second model version builds beside the first, then takes over
	rep, err = f.idx.Build(f.ctx, fakeEmbedder{"test-v2", 4}, load, 4, nil)
	require.NoError(t, err)
	require.Equal(t, 10, rep.Embedded)
	active, err = f.idx.Active(f.ctx)
	require.NoError(t, err)
	require.Equal(t, "test-v2", active)
	hits, err = f.idx.Search(f.ctx, "test-v1", vec(8, 0), 1, "") // the old one still answers by name
	require.NoError(t, err)
	require.Equal(t, "ap1", hits[0].Path)

	// a rebuild of an indexed version embeds nothing new
	rep, err = f.idx.Build(f.ctx, fakeEmbedder{"test-v2", 4}, load, 4, nil)
	require.NoError(t, err)
	require.Zero(t, rep.Embedded)

	err = f.idx.Ensure(f.ctx, "test-v2", 16)
	require.Equal(t, catalog.ECONFLICT, catalog.ErrorCode(err))
}
