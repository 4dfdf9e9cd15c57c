// Package retrain is feedback-driven retraining of the card-embedding model:
// it exports the confirmed scans no model has trained on (rectified the way
// the recogniser sees them) with their catalogue images, fine-tunes the
// active model on them (models/train.py), and promotes the new version only
// when it beats the current one on held-out confirmed photos: the model file
// is copied under the data dir, recorded, its pgvector index built and
// activated, and the pairs are marked used. Workers pick the new version up
// through SwapEmbedder. The package holds no cgo: detection, rectification
// and ONNX Runtime come in as functions.
package retrain
