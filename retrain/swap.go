package retrain

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// SwapEmbedder is a catalog.Embedder whose model can be replaced while scans
// run: Embed calls hold a read lock, Swap waits for them, switches, and
// releases the old model.
type SwapEmbedder struct {
	mu      sync.RWMutex
	cur     catalog.Embedder
	release func() error
	path    string
}

var _ catalog.Embedder = (*SwapEmbedder)(nil)

// NewSwapEmbedder starts with emb (loaded from path; release frees it).
func NewSwapEmbedder(emb catalog.Embedder, path string, release func() error) *SwapEmbedder {
	return &SwapEmbedder{cur: emb, path: path, release: release}
}

// Embed implements catalog.Embedder.
func (s *SwapEmbedder) Embed(ctx context.Context, cards []*image.RGBA) ([][]float32, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur.Embed(ctx, cards)
}

// Dim implements catalog.Embedder.
func (s *SwapEmbedder) Dim() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur.Dim()
}

// ModelVersion implements catalog.Embedder.
func (s *SwapEmbedder) ModelVersion() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur.ModelVersion()
}

// Swap installs emb once running Embed calls finish and frees the old model.
func (s *SwapEmbedder) Swap(emb catalog.Embedder, path string, release func() error) error {
	s.mu.Lock()
	old := s.release
	s.cur, s.path, s.release = emb, path, release
	s.mu.Unlock()
	if old != nil {
		return old()
	}
	return nil
}

// Close frees the current model.
func (s *SwapEmbedder) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release == nil {
		return nil
	}
	err := s.release()
	s.release = nil
	return err
}

// Sync loads the active version's model when it differs from the current
// one and has a recorded file; it reports whether it swapped.
func (s *SwapEmbedder) Sync(ctx context.Context, store interface {
	ActiveModelFile(ctx context.Context) (catalog.ModelFile, error)
}, load func(path string) (catalog.Embedder, func() error, error)) (bool, error) {
	m, err := store.ActiveModelFile(ctx)
	if err != nil {
		return false, fmt.Errorf("retrain: active model: %w", err)
	}
	if m.Path == "" || m.Version == s.ModelVersion() {
		return false, nil
	}
	emb, release, err := load(m.Path)
	if err != nil {
		return false, fmt.Errorf("retrain: load %s: %w", m.Path, err)
	}
	if emb.ModelVersion() != m.Version {
		_ = release()
		return false, fmt.Errorf("retrain: %s is %q, the active version is %q", m.Path, emb.ModelVersion(), m.Version)
	}
	return true, s.Swap(emb, m.Path, release)
}

// Watch calls Sync every interval until ctx ends, logging swaps and errors.
func (s *SwapEmbedder) Watch(ctx context.Context, every time.Duration, store interface {
	ActiveModelFile(ctx context.Context) (catalog.ModelFile, error)
}, load func(path string) (catalog.Embedder, func() error, error), log *slog.Logger) {
	log = logger(log)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			swapped, err := s.Sync(ctx, store, load)
			if err != nil {
				log.Warn("embedder: model check failed", "err", err)
			} else if swapped {
				log.Info("embedder: switched to the active model", "version", s.ModelVersion())
			}
		}
	}
}

// PinnedIndex searches the index of the embedder's own model version when
// it differs from the active one, so vectors are never compared across
// versions in the moments between a promotion and the worker's switch.
type PinnedIndex struct {
	Index interface {
		catalog.VectorIndex
		Active(ctx context.Context) (string, error)
	}
	Embedder catalog.Embedder
}

// Search implements catalog.VectorIndex.
func (p PinnedIndex) Search(ctx context.Context, model string, vec []float32, k int, game string) ([]catalog.Neighbor, error) {
	if model == "" {
		active, err := p.Index.Active(ctx)
		if err != nil {
			return nil, fmt.Errorf("retrain: active model: %w", err)
		}
		if active != "" {
			model = p.Embedder.ModelVersion()
		}
	}
	return p.Index.Search(ctx, model, vec, k, game)
}
