package workers

import (
	"context"
	"fmt"
	"log/slog"
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

// SessionPurger deletes ended scan sessions.
type SessionPurger interface {
	// DeleteExpiredScanSessions removes sessions ended before now and
	// returns their ids.
	DeleteExpiredScanSessions(ctx context.Context, now time.Time) ([]string, error)
}

// SessionPhotos removes a session's photos (the photo store).
type SessionPhotos interface {
	RemoveSession(sessionID string) error
}

// ExpireScanSessionsHandler runs TypeExpireScanSessions.
type ExpireScanSessionsHandler struct {
	Store SessionPurger
	// Photos removes a purged session's photos (nil: none kept).
	Photos SessionPhotos
	Now    func() time.Time
	Log    *slog.Logger
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
		if !catalog.ValidScanSessionID(id) || h.Photos == nil {
			continue
		}
		if err := h.Photos.RemoveSession(id); err != nil {
			log.Warn("scan session photos not removed", "session_id", id, "err", err)
		}
	}
	log.Info("scan sessions purged", "count", len(ids))
	return nil
}
