// Package wire assembles the recogniser's concrete stages (OpenCV,
// ONNX Runtime, Tesseract, pgvector) for the commands: the only place that
// knows all of them.
package wire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer"
	"github.com/collectorstash/csm/recognizer/decode"
	"github.com/collectorstash/csm/recognizer/detect"
	"github.com/collectorstash/csm/recognizer/embed"
	"github.com/collectorstash/csm/recognizer/match"
	"github.com/collectorstash/csm/recognizer/ocr"
	"github.com/collectorstash/csm/recognizer/quality"
	"github.com/collectorstash/csm/recognizer/verify"
	"github.com/collectorstash/csm/vectors"
)

// Config selects the model and the execution provider.
type Config struct {
	// ModelPath is the embedding model (.onnx, with its .json model card).
	ModelPath string
	// Provider is "cpu" or "cuda".
	Provider string
	// Threads bounds ONNX Runtime and Tesseract parallelism (0 = per core).
	Threads int
	// OCRVariants caps the preprocessing variants OCR tries per region:
	// 0 means DefaultOCRVariants, negative all four.
	OCRVariants int
	// OCRClients, when > 0, is the number of Tesseract clients (concurrent
	// reads) instead of Threads: a worker running N tasks at once with one
	// ONNX Runtime thread each wants N clients.
	OCRClients int
}

// DefaultOCRVariants is how many preprocessing variants OCR tries per
// region by default. Measured on the recognition benchmark's 120 seeded
// single-card crops (make bench-recognition, -diagnose-ocr): 1, 2 and 4
// variants read the printed number right 20.8 %, 20.0 % and 22.5 % of the
// time and the name 36.7 %, 41.7 % and 42.5 %, at p50 137, 214 and 420 ms
// per card on one core; two keep nearly all of the reading at half the cost.
const DefaultOCRVariants = 2

// DefaultModel is $CSM_MODEL, else card-embed-v2.onnx in $CSM_MODELS_DIR or
// ./models.
func DefaultModel() string {
	if m := os.Getenv("CSM_MODEL"); m != "" {
		return m
	}
	if d := os.Getenv("CSM_MODELS_DIR"); d != "" {
		return filepath.Join(d, "card-embed-v2.onnx")
	}
	return filepath.Join("models", "card-embed-v2.onnx")
}

// Recognition is the assembled pipeline with what must be closed.
type Recognition struct {
	Pipeline *recognizer.Pipeline
	Detector *detect.Detector
	Embedder *embed.Embedder
	Index    *vectors.Index
	OCR      *ocr.Reader
}

// NewRecognition loads every stage once.
func NewRecognition(cfg Config, db *postgres.DB) (*Recognition, error) {
	if cfg.ModelPath == "" {
		cfg.ModelPath = DefaultModel()
	}
	emb, err := embed.New(embed.Config{ModelPath: cfg.ModelPath, ExecutionProvider: cfg.Provider,
		IntraOpThreads: cfg.Threads, MaxBatch: 32})
	if err != nil {
		return nil, fmt.Errorf("wire: embedder: %w", err)
	}
	clients := cfg.Threads
	if cfg.OCRClients > 0 {
		clients = cfg.OCRClients
	}
	variants := cfg.OCRVariants
	switch {
	case variants == 0:
		variants = DefaultOCRVariants
	case variants < 0:
		variants = 0 // all
	}
	reader, err := ocr.New(ocr.Config{Clients: clients, MaxVariants: variants})
	if err != nil {
		_ = emb.Close()
		return nil, fmt.Errorf("wire: ocr: %w", err)
	}
	det := detect.New()
	idx := vectors.New(db.Pool)
	r := &Recognition{Detector: det, Embedder: emb, Index: idx, OCR: reader}
	r.Pipeline = &recognizer.Pipeline{
		Detector:  det,
		Zoom:      det,
		Embedder:  emb,
		Index:     idx,
		OCR:       reader,
		Verifier:  verify.New(verify.Config{}),
		Catalog:   db,
		Quality:   quality.Assess,
		NameSim:   match.NameSimilarity,
		NumberSim: match.NumberSimilarity,
	}
	return r, nil
}

// Close releases the model session and the Tesseract clients.
func (r *Recognition) Close() error {
	return errors.Join(r.Embedder.Close(), r.OCR.Close())
}

// Decode is the upload decoder the worker uses.
func Decode(data []byte) (*image.RGBA, error) {
	img, _, err := decode.Decode(data)
	return img, err
}

// LoadImage reads and decodes a catalogue image for indexing.
func LoadImage(path string) (*image.RGBA, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(data)
}

// QuickDetector is the API's detect-only path: decode, find outlines, draw.
type QuickDetector struct{ Detector *detect.Detector }

var _ catalog.QuickDetector = QuickDetector{}

// DetectOverlay returns the outlines and a PNG overlay of them.
func (q QuickDetector) DetectOverlay(ctx context.Context, photo []byte) ([]catalog.Detection, []byte, error) {
	img, err := Decode(photo)
	if err != nil {
		return nil, nil, err
	}
	dets, err := q.Detector.Detect(ctx, img)
	if err != nil {
		return nil, nil, err
	}
	over, err := detect.Overlay(img, dets)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, over); err != nil {
		return nil, nil, fmt.Errorf("wire: overlay: %w", err)
	}
	return dets, b.Bytes(), nil
}

// Validate is the upload check the API runs before storing a photo.
func Validate(data []byte) error {
	_, err := decode.Check(data)
	return err
}
