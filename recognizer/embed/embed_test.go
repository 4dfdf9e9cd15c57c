package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/image/draw"
)

// Heavy model tests load once: TestMain creates one Embedder for the package.

const (
	rectW = 420 // rectified card size handed over by the detector
	rectH = 600
)

// The committed model; CSM_EMBED_TEST_MODEL points the tests at another .onnx
// (with its .json beside it).
var (
	testModel = envOr("CSM_EMBED_TEST_MODEL", "../../models/card-embed-v2.onnx")
	testCard  = strings.TrimSuffix(testModel, ".onnx") + ".json"
)

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

var (
	shared    *Embedder
	sharedErr error
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		lib := os.Getenv(LibraryEnv)
		if lib == "" {
			lib = DefaultLibraryPath
		}
		if _, err := os.Stat(lib); err != nil {
			// ONNX Runtime is part of the native stack: a test run without it fails.
			fmt.Fprintf(os.Stderr, "FAIL: ONNX Runtime not installed (%s); run through scripts/toolbox.sh exec\n", lib)
			return 1
		}
		shared, sharedErr = New(Config{ModelPath: testModel, IntraOpThreads: 1})
		if shared != nil {
			defer shared.Close()
		}
		return m.Run()
	}())
}

func model(t testing.TB) *Embedder {
	t.Helper()
	if sharedErr != nil {
		t.Fatalf("New: %v", sharedErr)
	}
	return shared
}

// ---- fixtures

type fixture struct {
	name  string
	clean *image.RGBA
}

var (
	fixturesOnce sync.Once
	fixtures     []fixture
	fixturesErr  error
)

func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	fixturesOnce.Do(func() {
		paths, _ := filepath.Glob("testdata/*.jpg")
		sort.Strings(paths)
		for _, p := range paths {
			img, err := loadRectified(p)
			if err != nil {
				fixturesErr = err
				return
			}
			fixtures = append(fixtures, fixture{strings.TrimSuffix(filepath.Base(p), ".jpg"), img})
		}
		if len(fixtures) < 6 {
			fixturesErr = fmt.Errorf("want >= 6 testdata/*.jpg, have %d", len(fixtures))
		}
	})
	if fixturesErr != nil {
		t.Fatal(fixturesErr)
	}
	return fixtures
}

// loadRectified decodes a gallery JPEG and scales it to the rectified card
// size, as the detector would hand it over.
func loadRectified(path string) (*image.RGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := jpeg.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dst := image.NewRGBA(image.Rect(0, 0, rectW, rectH))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst, nil
}

// augment is a cheap stand-in for a phone photo after rectification: crop
// jitter (corners a few % off), a brightness / contrast change and blur.
func augment(src *image.RGBA, rng *rand.Rand) *image.RGBA {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	j := func(n int) int { return int(float64(n) * (0.01 + 0.04*rng.Float64())) }
	crop := image.Rect(j(w), j(h), w-j(w), h-j(h))
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.BiLinear.Scale(out, out.Bounds(), src, crop, draw.Src, nil)

	gain := 0.75 + 0.5*rng.Float64()
	off := -20 + 40*rng.Float64()
	for i := 0; i < len(out.Pix); i += 4 {
		for c := 0; c < 3; c++ {
			v := float64(out.Pix[i+c])*gain + off
			out.Pix[i+c] = uint8(math.Max(0, math.Min(255, v)))
		}
	}

	// blur: down to a quarter and back up
	small := image.NewRGBA(image.Rect(0, 0, w/4, h/4))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), out, out.Bounds(), draw.Src, nil)
	draw.BiLinear.Scale(out, out.Bounds(), small, small.Bounds(), draw.Src, nil)
	return out
}

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// ---- tests

func TestModelCard(t *testing.T) {
	e := model(t)
	card, err := ReadModelCard(testCard)
	if err != nil {
		t.Fatal(err)
	}
	if e.Dim() != card.Output.Dim || e.Dim() < 64 {
		t.Fatalf("Dim() = %d, card says %d", e.Dim(), card.Output.Dim)
	}
	if e.ModelVersion() != card.Version || e.ModelVersion() != "card-embed-v2" {
		t.Fatalf("ModelVersion() = %q, card says %q", e.ModelVersion(), card.Version)
	}
	if w, h := e.InputSize(); w != card.Input.Width || h != card.Input.Height {
		t.Fatalf("InputSize() = %dx%d, card says %dx%d", w, h, card.Input.Width, card.Input.Height)
	}
}

func TestAugmentedViewNearestOwnCard(t *testing.T) {
	e := model(t)
	fx := loadFixtures(t)
	rng := rand.New(rand.NewSource(42))
	clean := make([]*image.RGBA, len(fx))
	aug := make([]*image.RGBA, len(fx))
	for i, f := range fx {
		clean[i] = f.clean
		aug[i] = augment(f.clean, rng)
	}
	ctx := context.Background()
	gal, err := e.Embed(ctx, clean)
	if err != nil {
		t.Fatal(err)
	}
	q, err := e.Embed(ctx, aug)
	if err != nil {
		t.Fatal(err)
	}
	for i := range q {
		best, bestSim, own := -1, -2.0, cosine(q[i], gal[i])
		for j := range gal {
			if s := cosine(q[i], gal[j]); s > bestSim {
				best, bestSim = j, s
			}
		}
		if best != i {
			t.Errorf("augmented %s is nearest to %s (%.3f), own clean %.3f", fx[i].name, fx[best].name, bestSim, own)
			continue
		}
		second := -2.0
		for j := range gal {
			if s := cosine(q[i], gal[j]); j != i && s > second {
				second = s
			}
		}
		t.Logf("%s: own %.3f, best other %.3f", fx[i].name, own, second)
	}
}

func TestUnitLength(t *testing.T) {
	e := model(t)
	fx := loadFixtures(t)
	rng := rand.New(rand.NewSource(1))
	cards := []*image.RGBA{fx[0].clean, augment(fx[1].clean, rng)}
	// a sub-image with a non-zero origin, an odd size and a flat colour
	cards = append(cards, fx[2].clean.SubImage(image.Rect(13, 21, 333, 517)).(*image.RGBA))
	flat := image.NewRGBA(image.Rect(0, 0, 50, 70))
	draw.Draw(flat, flat.Bounds(), image.NewUniform(color.RGBA{200, 30, 30, 255}), image.Point{}, draw.Src)
	cards = append(cards, flat)
	vecs, err := e.Embed(context.Background(), cards)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(cards) {
		t.Fatalf("%d vectors for %d cards", len(vecs), len(cards))
	}
	for i, v := range vecs {
		if len(v) != e.Dim() {
			t.Fatalf("vector %d has %d dims, want %d", i, len(v), e.Dim())
		}
		var ss float64
		for _, x := range v {
			if math.IsNaN(float64(x)) {
				t.Fatalf("vector %d has NaN", i)
			}
			ss += float64(x) * float64(x)
		}
		if math.Abs(math.Sqrt(ss)-1) > 1e-5 {
			t.Errorf("vector %d has norm %.7f", i, math.Sqrt(ss))
		}
	}
}

func TestBatchEqualsSingles(t *testing.T) {
	e := model(t)
	fx := loadFixtures(t)
	rng := rand.New(rand.NewSource(7))
	var cards []*image.RGBA
	for _, f := range fx {
		cards = append(cards, f.clean)
	}
	cards = append(cards, augment(fx[0].clean, rng))
	ctx := context.Background()
	batch, err := e.Embed(ctx, cards)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i, c := range cards {
		single, err := e.Embed(ctx, []*image.RGBA{c})
		if err != nil {
			t.Fatal(err)
		}
		for k := range single[0] {
			worst = math.Max(worst, math.Abs(float64(single[0][k]-batch[i][k])))
		}
	}
	if worst > 1e-4 {
		t.Fatalf("batch vs single max abs diff %.2e > 1e-4", worst)
	}
	t.Logf("batch of %d vs singles: max abs diff %.2e", len(cards), worst)
}

// TestMatchesPyTorch compares with embeddings models/train.py computed for
// the same images (testdata/reference_embeddings.json): it catches any drift
// between training-time and serving-time preprocessing (channel order,
// normalisation, layout, resize). The only differences left are the JPEG
// decoder and the 420x600 upscale (Pillow bicubic vs. x/image CatmullRom).
func TestMatchesPyTorch(t *testing.T) {
	e := model(t)
	fx := loadFixtures(t)
	b, err := os.ReadFile("testdata/reference_embeddings.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		ModelVersion string               `json:"model_version"`
		Embeddings   map[string][]float32 `json:"embeddings"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if ref.ModelVersion != e.ModelVersion() {
		t.Fatalf("reference embeddings are for %s, model is %s: rerun models/train.py", ref.ModelVersion, e.ModelVersion())
	}
	for _, f := range fx {
		want, ok := ref.Embeddings[f.name+".jpg"]
		if !ok {
			t.Fatalf("no reference embedding for %s", f.name)
		}
		got, err := e.Embed(context.Background(), []*image.RGBA{f.clean})
		if err != nil {
			t.Fatal(err)
		}
		if c := cosine(got[0], want); c < 0.995 {
			t.Errorf("%s: cosine to the PyTorch embedding %.4f < 0.995", f.name, c)
		} else {
			t.Logf("%s: cosine to PyTorch %.5f", f.name, c)
		}
	}
}

func TestBadInput(t *testing.T) {
	e := model(t)
	fx := loadFixtures(t)
	ctx := context.Background()
	if _, err := e.Embed(ctx, []*image.RGBA{nil}); err == nil {
		t.Error("nil image: want error")
	}
	if _, err := e.Embed(ctx, []*image.RGBA{fx[0].clean, nil}); err == nil {
		t.Error("nil image in a batch: want error")
	}
	if _, err := e.Embed(ctx, []*image.RGBA{image.NewRGBA(image.Rectangle{})}); err == nil {
		t.Error("empty image: want error")
	}
	if _, err := e.Embed(ctx, []*image.RGBA{{Rect: image.Rect(0, 0, 10, 10), Stride: 40}}); err == nil {
		t.Error("image without pixels: want error")
	}
	if v, err := e.Embed(ctx, nil); err != nil || len(v) != 0 {
		t.Errorf("no cards: got %v, %v; want empty, nil", v, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.Embed(cctx, []*image.RGBA{fx[0].clean}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v", err)
	}
}

func TestConcurrentEmbed(t *testing.T) {
	e := model(t)
	fx := loadFixtures(t)
	want, err := e.Embed(context.Background(), []*image.RGBA{fx[0].clean, fx[1].clean})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 3; r++ {
				got, err := e.Embed(context.Background(), []*image.RGBA{fx[0].clean, fx[1].clean})
				if err != nil {
					errs <- err
					return
				}
				for i := range got {
					if c := cosine(got[i], want[i]); c < 0.99999 {
						errs <- fmt.Errorf("concurrent result differs: cosine %.6f", c)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNewErrors(t *testing.T) {
	model(t) // runtime loaded
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no model", Config{}, "ModelPath"},
		{"missing model", Config{ModelPath: "testdata/nope.onnx"}, "nope.onnx"},
		{"missing card", Config{ModelPath: testModel, CardPath: "testdata/nope.json"}, "model card"},
		{"bad provider", Config{ModelPath: testModel, ExecutionProvider: "tpu"}, "execution provider"},
	}
	for _, c := range cases {
		e, err := New(c.cfg)
		if err == nil {
			e.Close()
			t.Errorf("%s: want error", c.name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
	// A model card that does not match the model is refused.
	bad := filepath.Join(t.TempDir(), "card.json")
	b, _ := os.ReadFile(testCard)
	os.WriteFile(bad, []byte(strings.Replace(string(b), `"dim": `, `"dim": 1`, 1)), 0o644)
	if e, err := New(Config{ModelPath: testModel, CardPath: bad}); err == nil {
		e.Close()
		t.Error("mismatched card: want error")
	} else {
		t.Logf("mismatched card: %v", err)
	}
}

// CUDA is used only when configured; without a CUDA-enabled ONNX Runtime
// (the Debian package is CPU-only) New must fail with a clear error.
func TestCUDAProvider(t *testing.T) {
	model(t)
	e, err := New(Config{ModelPath: testModel, ExecutionProvider: "cuda"})
	if err == nil {
		defer e.Close()
		t.Log("CUDA execution provider available")
		if _, err := e.Embed(context.Background(), []*image.RGBA{loadFixtures(t)[0].clean}); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !strings.Contains(err.Error(), "CUDA") {
		t.Fatalf("error does not mention CUDA: %v", err)
	}
	t.Logf("as expected without CUDA: %v", err)
}

func TestClose(t *testing.T) {
	model(t)
	e, err := New(Config{ModelPath: testModel, IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := e.Embed(context.Background(), []*image.RGBA{loadFixtures(t)[0].clean}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Embed after Close: %v", err)
	}
}

func TestMaxBatch(t *testing.T) {
	model(t)
	e, err := New(Config{ModelPath: testModel, IntraOpThreads: 1, MaxBatch: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	fx := loadFixtures(t)
	var cards []*image.RGBA
	for _, f := range fx {
		cards = append(cards, f.clean)
	}
	got, err := e.Embed(context.Background(), cards)
	if err != nil {
		t.Fatal(err)
	}
	want, err := shared.Embed(context.Background(), cards)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if c := cosine(got[i], want[i]); c < 0.99999 {
			t.Fatalf("card %d: chunked vs one batch cosine %.6f", i, c)
		}
	}
}

// The resize must match torch.nn.functional.interpolate(mode="bilinear",
// antialias=True, align_corners=False); expected values computed with torch
// 2.6 for pixel (x,y,c) = (37x + 11y + 5c) mod 256 on a 7x5 image.
func TestResizeMatchesTorch(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 7, 5))
	for y := 0; y < 5; y++ {
		for x := 0; x < 7; x++ {
			for c := 0; c < 3; c++ {
				src.Pix[y*src.Stride+x*4+c] = uint8((x*37 + y*11 + c*5) % 256)
			}
			src.Pix[y*src.Stride+x*4+3] = 255
		}
	}
	one := [3]float32{1, 1, 1}
	zero := [3]float32{}
	check := func(w, h int, want []float32) {
		got := make([]float32, 3*w*h)
		var r resampler
		r.toCHW(src, w, h, got, one, zero)
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-3 {
				t.Fatalf("%dx%d: value %d = %.4f, torch %.4f", w, h, i, got[i], want[i])
			}
		}
	}
	check(3, 2, []float32{42.7143, 122.0, 201.2857, 64.7143, 144.0, 194.1948, 47.7143, 127.0, 202.1299, 69.7143, 149.0, 161.7922, 52.7143, 132.0, 207.1299, 74.7143, 154.0, 166.7922})
	// upscale to 10x8, first two rows and the last row of the red plane
	up := []float32{0.0, 20.35, 46.25, 72.15, 98.05, 123.95, 149.85, 175.75, 201.65, 222.0, 4.8125, 25.1625, 51.0625, 76.9625, 102.8625, 128.7625, 154.6625, 180.5625, 206.4625, 226.8125}
	check(10, 8, up)
	got := make([]float32, 3*10*8)
	var r resampler
	r.toCHW(src, 10, 8, got, one, zero)
	last := []float32{44.0, 64.35, 90.25, 116.15, 142.05, 167.95, 193.85, 219.75, 130.45, 10.0}
	for i, v := range last {
		if math.Abs(float64(got[70+i]-v)) > 1e-3 {
			t.Fatalf("10x8 row 7: %v, torch %v", got[70:80], last)
		}
	}
}

// BenchmarkEmbed reports the latency per card on rectified 420x600 cards,
// preprocessing included; run with -cpu 1 (the shared embedder uses one
// ONNX Runtime thread):
//
//	scripts/toolbox.sh exec go test -run '^$' -bench Embed -cpu 1 ./recognizer/embed/
func BenchmarkEmbed(b *testing.B) {
	e := model(b)
	fx := loadFixtures(b)
	for _, n := range []int{1, 9} {
		cards := make([]*image.RGBA, n)
		for i := range cards {
			cards[i] = fx[i%len(fx)].clean
		}
		b.Run(fmt.Sprintf("batch%d", n), func(b *testing.B) {
			ctx := context.Background()
			iters := 0
			for b.Loop() {
				if _, err := e.Embed(ctx, cards); err != nil {
					b.Fatal(err)
				}
				iters++
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(iters*n), "ms/card")
		})
	}
	b.Run("preprocess", func(b *testing.B) {
		w, h := e.InputSize()
		dst := make([]float32, 3*w*h)
		var r resampler
		for b.Loop() {
			r.toCHW(fx[0].clean, w, h, dst, e.scale, e.shift)
		}
	})
}
