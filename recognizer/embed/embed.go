// Package embed turns rectified card images into unit-length embedding vectors
// with an ONNX model (models/card-embed-v1.onnx) run by ONNX Runtime through
// cgo (github.com/yalue/onnxruntime_go).
//
// The model's input size, normalisation, output dimension and version come
// from its model card (the .json written next to the .onnx by
// models/train.py), so a retrained model is a file swap, not a code change.
//
// ONNX Runtime is loaded once per process (dlopen of the shared library named
// by Config.LibraryPath, $CSM_ONNXRUNTIME_LIB or the Debian default); every
// Embedder owns one session, safe for concurrent use.
package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/collectorstash/csm/catalog"
)

// DefaultLibraryPath is where Debian's libonnxruntime package installs the
// shared library (it is in the project's toolbox and Docker images).
const DefaultLibraryPath = "/usr/lib/x86_64-linux-gnu/libonnxruntime.so"

// LibraryEnv names the environment variable that overrides the library path.
const LibraryEnv = "CSM_ONNXRUNTIME_LIB"

// Config configures an Embedder.
type Config struct {
	// ModelPath is the .onnx file (required).
	ModelPath string
	// CardPath is the model card JSON; empty means ModelPath with the
	// extension replaced by .json.
	CardPath string
	// ExecutionProvider is "cpu" (default) or "cuda".
	ExecutionProvider string
	// CUDADeviceID selects the GPU when ExecutionProvider is "cuda".
	CUDADeviceID int
	// IntraOpThreads bounds ONNX Runtime's threads per Run; 0 lets ORT
	// decide (one per physical core).
	IntraOpThreads int
	// LibraryPath is the ONNX Runtime shared library. Empty means
	// $CSM_ONNXRUNTIME_LIB, else DefaultLibraryPath. Only the first Embedder
	// created in a process loads the library; later values are ignored.
	LibraryPath string
	// MaxBatch, when > 0, splits larger Embed calls into runs of at most
	// this many cards (bounds memory when indexing a catalogue). 0 runs every
	// card of a call in one batch.
	MaxBatch int
}

// ModelCard is the part of the model card JSON the embedder needs.
type ModelCard struct {
	Version string `json:"version"`
	Input   struct {
		Name   string `json:"name"`
		Layout string `json:"layout"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
	} `json:"input"`
	Normalization struct {
		Mean []float32 `json:"mean"`
		Std  []float32 `json:"std"`
	} `json:"normalization"`
	Output struct {
		Name string `json:"name"`
		Dim  int    `json:"dim"`
	} `json:"output"`
}

// ReadModelCard reads and validates a model card.
func ReadModelCard(path string) (ModelCard, error) {
	var c ModelCard
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("embed: model card: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("embed: model card %s: %w", path, err)
	}
	if c.Input.Name == "" {
		c.Input.Name = "input"
	}
	if c.Output.Name == "" {
		c.Output.Name = "embedding"
	}
	switch {
	case c.Version == "":
		return c, fmt.Errorf("embed: model card %s: no version", path)
	case c.Input.Layout != "" && c.Input.Layout != "NCHW":
		return c, fmt.Errorf("embed: model card %s: input layout %q, want NCHW", path, c.Input.Layout)
	case c.Input.Width <= 0 || c.Input.Height <= 0 || c.Input.Width > 4096 || c.Input.Height > 4096:
		return c, fmt.Errorf("embed: model card %s: bad input size %dx%d", path, c.Input.Width, c.Input.Height)
	case c.Output.Dim <= 0:
		return c, fmt.Errorf("embed: model card %s: bad output dim %d", path, c.Output.Dim)
	case len(c.Normalization.Mean) != 3 || len(c.Normalization.Std) != 3:
		return c, fmt.Errorf("embed: model card %s: normalization needs 3 means and 3 stds", path)
	}
	for _, s := range c.Normalization.Std {
		if !(s > 0) {
			return c, fmt.Errorf("embed: model card %s: std must be > 0", path)
		}
	}
	return c, nil
}

var (
	envOnce sync.Once
	envErr  error
)

// initRuntime loads ONNX Runtime once per process.
func initRuntime(libPath string) error {
	envOnce.Do(func() {
		if ort.IsInitialized() { // someone else in the process did it
			return
		}
		if libPath == "" {
			libPath = os.Getenv(LibraryEnv)
		}
		if libPath == "" {
			libPath = DefaultLibraryPath
		}
		if _, err := os.Stat(libPath); err != nil {
			envErr = fmt.Errorf("embed: ONNX Runtime library %s: %w (set %s or Config.LibraryPath)", libPath, err, LibraryEnv)
			return
		}
		ort.SetSharedLibraryPath(libPath)
		if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
			envErr = fmt.Errorf("embed: initialise ONNX Runtime from %s: %w", libPath, err)
		}
	})
	return envErr
}

// Embedder implements catalog.Embedder with an ONNX model.
type Embedder struct {
	card     ModelCard
	maxBatch int
	scale    [3]float32 // 1/(255*std)
	shift    [3]float32 // -mean/std

	mu   sync.RWMutex // Run holds R (ORT sessions allow concurrent Run); Close holds W
	sess *ort.DynamicAdvancedSession
}

var _ catalog.Embedder = (*Embedder)(nil)

// New loads the model card and the model and creates an inference session.
// ONNX Runtime's operator-schema noise on standard error is filtered out
// meanwhile (see quietStderr); its real errors still show.
func New(cfg Config) (*Embedder, error) {
	var e *Embedder
	err := quietStderr(func() (err error) {
		e, err = open(cfg)
		return err
	})
	return e, err
}

// open is New without the standard-error filter.
func open(cfg Config) (*Embedder, error) {
	if cfg.ModelPath == "" {
		return nil, errors.New("embed: Config.ModelPath is required")
	}
	if _, err := os.Stat(cfg.ModelPath); err != nil {
		return nil, fmt.Errorf("embed: model: %w", err)
	}
	cardPath := cfg.CardPath
	if cardPath == "" {
		cardPath = strings.TrimSuffix(cfg.ModelPath, ".onnx") + ".json"
	}
	card, err := ReadModelCard(cardPath)
	if err != nil {
		return nil, err
	}
	provider := strings.ToLower(strings.TrimSpace(cfg.ExecutionProvider))
	if provider == "" {
		provider = "cpu"
	}
	if provider != "cpu" && provider != "cuda" {
		return nil, fmt.Errorf("embed: unknown execution provider %q (want cpu or cuda)", cfg.ExecutionProvider)
	}
	if cfg.IntraOpThreads < 0 || cfg.MaxBatch < 0 {
		return nil, errors.New("embed: IntraOpThreads and MaxBatch must be >= 0")
	}
	if err := initRuntime(cfg.LibraryPath); err != nil {
		return nil, err
	}
	if err := checkModelIO(cfg.ModelPath, card); err != nil {
		return nil, err
	}

	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("embed: session options: %w", err)
	}
	defer opts.Destroy()
	if cfg.IntraOpThreads > 0 {
		if err := opts.SetIntraOpNumThreads(cfg.IntraOpThreads); err != nil {
			return nil, fmt.Errorf("embed: intra-op threads: %w", err)
		}
		if err := opts.SetInterOpNumThreads(1); err != nil {
			return nil, fmt.Errorf("embed: inter-op threads: %w", err)
		}
	}
	if provider == "cuda" {
		if err := appendCUDA(opts, cfg.CUDADeviceID); err != nil {
			return nil, err
		}
	}
	sess, err := ort.NewDynamicAdvancedSession(cfg.ModelPath, []string{card.Input.Name}, []string{card.Output.Name}, opts)
	if err != nil {
		return nil, fmt.Errorf("embed: load %s: %w", cfg.ModelPath, err)
	}
	e := &Embedder{card: card, maxBatch: cfg.MaxBatch, sess: sess}
	for c := 0; c < 3; c++ {
		e.scale[c] = 1 / (255 * card.Normalization.Std[c])
		e.shift[c] = -card.Normalization.Mean[c] / card.Normalization.Std[c]
	}
	return e, nil
}

func appendCUDA(opts *ort.SessionOptions, device int) error {
	co, err := ort.NewCUDAProviderOptions()
	if err != nil {
		return fmt.Errorf("embed: CUDA execution provider is not available in this ONNX Runtime build: %w", err)
	}
	defer co.Destroy()
	if err := co.Update(map[string]string{"device_id": fmt.Sprint(device)}); err != nil {
		return fmt.Errorf("embed: CUDA provider options (device %d): %w", device, err)
	}
	if err := opts.AppendExecutionProviderCUDA(co); err != nil {
		return fmt.Errorf("embed: cannot use the CUDA execution provider (device %d; needs an ONNX Runtime built with CUDA, and the CUDA/cuDNN libraries): %w", device, err)
	}
	return nil
}

// checkModelIO verifies that the model's input and output match its card.
func checkModelIO(path string, card ModelCard) error {
	ins, outs, err := ort.GetInputOutputInfo(path)
	if err != nil {
		return fmt.Errorf("embed: read %s: %w", path, err)
	}
	if len(ins) != 1 || len(outs) != 1 {
		return fmt.Errorf("embed: %s has %d inputs and %d outputs, want 1 and 1", path, len(ins), len(outs))
	}
	in, out := ins[0], outs[0]
	if in.Name != card.Input.Name || out.Name != card.Output.Name {
		return fmt.Errorf("embed: %s has input %q / output %q, model card says %q / %q", path, in.Name, out.Name, card.Input.Name, card.Output.Name)
	}
	if in.DataType != ort.TensorElementDataTypeFloat || out.DataType != ort.TensorElementDataTypeFloat {
		return fmt.Errorf("embed: %s: want float32 input and output", path)
	}
	want := []int64{-1, 3, int64(card.Input.Height), int64(card.Input.Width)}
	if len(in.Dimensions) != 4 {
		return fmt.Errorf("embed: %s: input shape %v, want [N 3 %d %d]", path, in.Dimensions, card.Input.Height, card.Input.Width)
	}
	for i := 1; i < 4; i++ {
		if in.Dimensions[i] != want[i] {
			return fmt.Errorf("embed: %s: input shape %v does not match the model card (%dx%d)", path, in.Dimensions, card.Input.Width, card.Input.Height)
		}
	}
	if len(out.Dimensions) != 2 || out.Dimensions[1] != int64(card.Output.Dim) {
		return fmt.Errorf("embed: %s: output shape %v, model card says dim %d", path, out.Dimensions, card.Output.Dim)
	}
	return nil
}

// Dim is the embedding length.
func (e *Embedder) Dim() int { return e.card.Output.Dim }

// ModelVersion is the model card's version, e.g. "card-embed-v1".
func (e *Embedder) ModelVersion() string { return e.card.Version }

// InputSize is the model's input width and height in pixels.
func (e *Embedder) InputSize() (w, h int) { return e.card.Input.Width, e.card.Input.Height }

// Card returns the parsed model card.
func (e *Embedder) Card() ModelCard { return e.card }

// Close releases the ONNX Runtime session; it waits for running Embed calls.
// Embed after Close returns an error. The process-wide runtime stays loaded.
func (e *Embedder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil
	}
	err := e.sess.Destroy()
	e.sess = nil
	return err
}

// ErrClosed is returned by Embed after Close.
var ErrClosed = errors.New("embed: embedder is closed")

// Embed maps upright card images (any size; rectified cards are 420x600) to
// L2-normalised vectors, one per card, in order. All cards of a call go to
// the model in one batch (see Config.MaxBatch). A nil or empty image is an
// error for the whole call.
func (e *Embedder) Embed(ctx context.Context, cards []*image.RGBA) ([][]float32, error) {
	for i, c := range cards {
		if c == nil {
			return nil, fmt.Errorf("embed: card %d is nil", i)
		}
		dx, dy := c.Rect.Dx(), c.Rect.Dy()
		if dx <= 0 || dy <= 0 {
			return nil, fmt.Errorf("embed: card %d is empty (%v)", i, c.Rect)
		}
		if c.Stride < dx*4 || len(c.Pix) < (dy-1)*c.Stride+dx*4 {
			return nil, fmt.Errorf("embed: card %d: pixel buffer too short for %v", i, c.Rect)
		}
	}
	out := make([][]float32, 0, len(cards))
	step := len(cards)
	if e.maxBatch > 0 && e.maxBatch < step {
		step = e.maxBatch
	}
	for i := 0; i < len(cards); i += step {
		j := min(i+step, len(cards))
		vecs, err := e.run(ctx, cards[i:j])
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (e *Embedder) run(ctx context.Context, cards []*image.RGBA) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w, h, dim := e.card.Input.Width, e.card.Input.Height, e.card.Output.Dim
	n := len(cards)
	plane := w * h
	data := make([]float32, n*3*plane)
	// preprocessing is ~half the per-card cost: spread a batch over the CPUs
	workers := min(n, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for wk := 0; wk < workers; wk++ {
		wg.Add(1)
		go func(wk int) {
			defer wg.Done()
			var rs resampler
			for i := wk; i < n; i += workers {
				rs.toCHW(cards[i], w, h, data[i*3*plane:(i+1)*3*plane], e.scale, e.shift)
			}
		}(wk)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.sess == nil {
		return nil, ErrClosed
	}
	in, err := ort.NewTensor(ort.NewShape(int64(n), 3, int64(h), int64(w)), data)
	if err != nil {
		return nil, fmt.Errorf("embed: input tensor: %w", err)
	}
	defer in.Destroy()
	outT, err := ort.NewEmptyTensor[float32](ort.NewShape(int64(n), int64(dim)))
	if err != nil {
		return nil, fmt.Errorf("embed: output tensor: %w", err)
	}
	defer outT.Destroy()
	if err := e.sess.Run([]ort.Value{in}, []ort.Value{outT}); err != nil {
		return nil, fmt.Errorf("embed: run %s on %d cards: %w", e.card.Version, n, err)
	}
	flat := outT.GetData()
	vecs := make([][]float32, n)
	backing := make([]float32, n*dim)
	for i := range vecs {
		v := backing[i*dim : (i+1)*dim : (i+1)*dim]
		copy(v, flat[i*dim:(i+1)*dim])
		var ss float64
		for _, x := range v {
			ss += float64(x) * float64(x)
		}
		if !(ss > 0) || math.IsInf(ss, 0) {
			return nil, fmt.Errorf("embed: card %d: degenerate embedding", i)
		}
		inv := float32(1 / math.Sqrt(ss))
		for k := range v {
			v[k] *= inv
		}
		vecs[i] = v
	}
	return vecs, nil
}
