// Package readcount counts a recogniser's OCR reads for the benchmarks.
package readcount

import (
	"context"
	"image"
	"sync/atomic"

	"github.com/collectorstash/csm/catalog"
)

// Reader is a catalog.TextReader that counts the reads it passes on.
type Reader struct {
	catalog.TextReader
	n atomic.Int64
}

// Wrap returns r counting the reads of next.
func Wrap(next catalog.TextReader) *Reader { return &Reader{TextReader: next} }

// Read counts the read and passes it on.
func (r *Reader) Read(ctx context.Context, card *image.RGBA, game string) (catalog.OCRResult, error) {
	r.n.Add(1)
	return r.TextReader.Read(ctx, card, game)
}

// Take returns the reads counted since the last Take and starts again.
func (r *Reader) Take() int { return int(r.n.Swap(0)) }
