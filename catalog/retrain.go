package catalog

import "context"

// FeedbackPair is a confirmed scan not yet used for training: the photo the
// user took and the catalogue image of the card they confirmed.
type FeedbackPair struct {
	ID          int64
	ScanID      string
	CardID      int64
	PhotoPath   string
	GalleryPath string
}

// GalleryImage is one card's catalogue image (the first with a local file).
type GalleryImage struct {
	CardID int64
	Path   string
}

// ModelFile is an embedding-model version with its file under the data dir.
type ModelFile struct {
	Version string
	// Path is the .onnx (with a sibling .json model card); "" when the
	// version was indexed from the committed default model.
	Path string
}

// RetrainStore is what feedback retraining reads and records.
type RetrainStore interface {
	// UnusedFeedback lists confirmed pairs no model has trained on yet.
	UnusedFeedback(ctx context.Context, limit int) ([]FeedbackPair, error)
	// MarkFeedbackUsed records that version trained on the pairs.
	MarkFeedbackUsed(ctx context.Context, ids []int64, version string) error
	// GalleryImages lists one catalogue image per card.
	GalleryImages(ctx context.Context) ([]GalleryImage, error)
	// ModelVersions lists every indexed model version.
	ModelVersions(ctx context.Context) ([]string, error)
	// ActiveModelFile returns the active version and its file ("" when none).
	ActiveModelFile(ctx context.Context) (ModelFile, error)
	// SetModelFile records a version's file and promotion metrics (JSON).
	SetModelFile(ctx context.Context, version, path string, metrics []byte) error
}
