package workers

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/hibiken/asynq"

	"github.com/collectorstash/csm/catalog"
)

// TypeExpireScanSessions purges ended scan sessions and their photos.
const TypeExpireScanSessions = "scan_sessions:expire"

// ExpireScanSessionsSchedule is the purge's cron spec: hourly, as documented.
const ExpireScanSessionsSchedule = "@hourly"

// NewExpireScanSessionsTask returns the purge task (no payload; one at a
// time per minute, so a schedule and a manual run do not pile up).
func NewExpireScanSessionsTask() *asynq.Task {
	return asynq.NewTask(TypeExpireScanSessions, nil, asynq.MaxRetry(2), asynq.Timeout(10*time.Minute),
		asynq.Unique(time.Minute))
}

// ExpireScanSessionsHandler runs TypeExpireScanSessions.
type ExpireScanSessionsHandler struct {
	Store catalog.ScanSessionStore
	// PhotoDir holds a directory of photos per session (static/scans).
	PhotoDir string
	Now      func() time.Time
	Log      *slog.Logger
}

// ProcessTask deletes the ended sessions, then their photo directories.
func (h *ExpireScanSessionsHandler) ProcessTask(ctx context.Context, _ *asynq.Task) error {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	ids, err := h.Store.DeleteExpiredScanSessions(ctx, now())
	if err != nil {
		return fmt.Errorf("expire scan sessions: %w", err)
	}
	for _, id := range ids {
		if !catalog.ValidScanSessionID(id) || h.PhotoDir == "" {
			continue
		}
		if err := os.RemoveAll(filepath.Join(h.PhotoDir, id)); err != nil {
			log.Warn("scan session photos not removed", "session_id", id, "err", err)
		}
	}
	log.Info("scan sessions purged", "count", len(ids))
	return nil
}
