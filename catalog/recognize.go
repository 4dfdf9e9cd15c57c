package catalog

import (
	"context"
	"image"
	"time"
)

// Confidence buckets of a recognition candidate, as documented: high > 0.75,
// medium 0.50–0.75, low 0.30–0.50, conflict when visual and OCR disagree.
const (
	ConfidenceHigh     = "high"
	ConfidenceMedium   = "medium"
	ConfidenceLow      = "low"
	ConfidenceConflict = "conflict"
	ConfidenceNone     = "none" // below 0.30
)

// Point is a position in image pixels.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Detection is one card outline found in a photo: corners in the photo's
// pixel coordinates, clockwise from the card's top-left.
type Detection struct {
	Corners [4]Point `json:"corners"`
	// Score is the detector's confidence that this is a card, 0..1.
	Score float64 `json:"score"`
	// AreaFraction is the card's share of the photo area (for "move closer").
	AreaFraction float64 `json:"area_fraction"`
}

// RectifiedCard is a detected card warped to the canonical upright size.
type RectifiedCard struct {
	Detection Detection
	Image     *image.RGBA
	// Rotation is the clockwise rotation (0, 90, 180, 270) applied to make
	// the card upright.
	Rotation int
}

// CaptureQuality is the documented capture-quality block of a scan.
type CaptureQuality struct {
	OverallScore     float64 `json:"overall_score"`
	ColorReliability string  `json:"color_reliability"` // high | medium | low
	GlareSeverity    string  `json:"glare_severity"`    // none | mild | moderate | severe
	Verdict          string  `json:"verdict"`           // likely_real | uncertain | suspicious
	FakeRisk         float64 `json:"fake_risk"`
}

// Components are the per-signal scores behind a candidate's score, 0..1.
type Components struct {
	Embedding       float64 `json:"embedding"`
	CollectorNumber float64 `json:"collector_number"`
	Name            float64 `json:"name"`
	FeatureMatch    float64 `json:"feature_match"`
	SetContext      float64 `json:"set_context"`
}

// Candidate is one card the recogniser proposes for a photo.
type Candidate struct {
	CardID       int64      `json:"card_id"`
	Name         string     `json:"name"`
	SetName      string     `json:"set_name"`
	TCGSlug      string     `json:"tcg_slug"`
	Number       string     `json:"collector_number,omitempty"`
	Score        float64    `json:"score"`
	Confidence   string     `json:"confidence"`
	Components   Components `json:"components"`
	RotationUsed *int       `json:"rotation_used,omitempty"`
}

// CardResult is the recognition of one card in a (possibly multi-card) photo.
type CardResult struct {
	Index          int            `json:"index"`
	Detection      Detection      `json:"detection"`
	Candidates     []Candidate    `json:"candidates"`
	CaptureQuality CaptureQuality `json:"capture_quality"`
	OCR            OCRResult      `json:"ocr"`
}

// ScanResult is the documented /api/cards/recognize response; Cards lists
// every card found when the photo holds several (the top-level candidates
// are the first card's).
type ScanResult struct {
	ScanID         string             `json:"scan_id"`
	Candidates     []Candidate        `json:"candidates"`
	CaptureQuality CaptureQuality     `json:"capture_quality"`
	Cards          []CardResult       `json:"cards"`
	Timings        map[string]float64 `json:"timings_ms,omitempty"`
	Debug          map[string]string  `json:"debug,omitempty"`
}

// OCRResult is what OCR read on a rectified card.
type OCRResult struct {
	Name       string  `json:"name"`
	NameConf   float64 `json:"name_confidence"`
	Number     string  `json:"number"`
	NumberConf float64 `json:"number_confidence"`
	SetCode    string  `json:"set_code,omitempty"`
}

// Neighbor is one ANN search hit: a catalogue image and its cosine distance.
type Neighbor struct {
	CardID   int64
	ImageID  int64
	Distance float64
	Path     string
}

// Detector finds card outlines in a photo and rectifies them.
type Detector interface {
	Detect(ctx context.Context, img *image.RGBA) ([]Detection, error)
	Rectify(ctx context.Context, img *image.RGBA, d Detection) (RectifiedCard, error)
}

// Embedder maps rectified card images to unit-length vectors.
type Embedder interface {
	Embed(ctx context.Context, cards []*image.RGBA) ([][]float32, error)
	Dim() int
	ModelVersion() string
}

// VectorIndex is approximate nearest-neighbour search over catalogue images.
type VectorIndex interface {
	Search(ctx context.Context, model string, vec []float32, k int, game string) ([]Neighbor, error)
}

// Reader of printed text on a rectified card, per game layout.
type TextReader interface {
	Read(ctx context.Context, card *image.RGBA, game string) (OCRResult, error)
}

// Verifier scores local-feature agreement between a card and reference images.
type Verifier interface {
	Match(ctx context.Context, card *image.RGBA, refs []string) ([]float64, error)
}

// ScanStatus is where a scan stands.
type ScanStatus string

// The scan statuses: queued on submission, running in a worker, then done
// (with a result) or failed (with an error code and message), once.
const (
	ScanQueued  ScanStatus = "queued"
	ScanRunning ScanStatus = "running"
	ScanDone    ScanStatus = "done"
	ScanFailed  ScanStatus = "failed"
)

// Finished reports whether the status is final (done or failed).
func (s ScanStatus) Finished() bool { return s == ScanDone || s == ScanFailed }

// Scan is a stored recognition request and its result.
type Scan struct {
	ID        string
	UserID    int64
	TCGSlug   string
	ImagePath string
	BatchID   string
	Index     int
	Debug     bool
	Status    ScanStatus
	Result    *ScanResult
	ErrorCode string // catalog error code of a failed scan
	Error     string // caller-safe message of a failed scan
	CreatedAt time.Time
}

// CardInfo is what the recogniser needs to know of a candidate card.
type CardInfo struct {
	ID        int64
	Name      string
	Number    string
	SetID     int64
	SetName   string
	SetCode   string
	Game      string
	ImagePath string
}

// RecognitionCatalog looks candidate cards up for scoring.
type RecognitionCatalog interface {
	CardsByIDs(ctx context.Context, ids []int64) (map[int64]CardInfo, error)
	// CardsByNumbers returns cards whose collector number (or its part before
	// "/") is one of numbers, optionally within one game.
	CardsByNumbers(ctx context.Context, game string, numbers []string) ([]CardInfo, error)
	// CardsByNames returns cards with exactly these names (reprints), optionally within one game.
	CardsByNames(ctx context.Context, game string, names []string) ([]CardInfo, error)
	// CardsLikeName returns every printing of the (at most limit) distinct
	// names most similar to text by trigram similarity, from the kept text
	// index, optionally within one game: the text candidates of a card
	// read by OCR whose image is not indexed.
	CardsLikeName(ctx context.Context, game, text string, limit int) ([]CardInfo, error)
	// CardsBySetNumber returns the cards of the set with this code (case
	// ignored) carrying this collector number (leading zeros ignored),
	// optionally within one game.
	CardsBySetNumber(ctx context.Context, game, setCode, number string) ([]CardInfo, error)
}

// Batch is a bulk-scan submission: scans recognised in submission order.
type Batch struct {
	ID        string
	UserID    int64
	Total     int
	CreatedAt time.Time
	Scans     []Scan
}

// ScanQueue hands scans to workers and waits for their results.
type ScanQueue interface {
	EnqueueScan(ctx context.Context, scanID string) error
	// WaitScan returns when the scan is finished or ctx ends.
	WaitScan(ctx context.Context, scanID string) error
	// NotifyScan tells waiters that a scan finished (called by workers).
	NotifyScan(ctx context.Context, scanID string) error
}

// QuickDetector is the cheap detect-only path: outlines and an overlay PNG.
type QuickDetector interface {
	DetectOverlay(ctx context.Context, photo []byte) ([]Detection, []byte, error)
}
