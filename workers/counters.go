package workers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/collectorstash/csm/catalog"
)

// TypeRefreshCounters recomputes the catalogue counters behind /api/v2/stats.
const TypeRefreshCounters = "catalog:refresh_counters"

// RefreshCountersPayload is the task payload (empty today; versioned for later).
type RefreshCountersPayload struct {
	Reason string `json:"reason,omitempty"`
}

// NewRefreshCountersTask returns a refresh task; duplicates within a minute
// collapse into one.
func NewRefreshCountersTask(reason string) (*asynq.Task, error) {
	b, err := json.Marshal(RefreshCountersPayload{Reason: reason})
	if err != nil {
		return nil, fmt.Errorf("refresh counters: payload: %w", err)
	}
	return asynq.NewTask(TypeRefreshCounters, b, asynq.MaxRetry(3), asynq.Unique(60e9)), nil
}

// RefreshCountersHandler runs TypeRefreshCounters tasks.
type RefreshCountersHandler struct {
	Catalog catalog.CatalogWriter
}

// ProcessTask implements asynq.Handler.
func (h *RefreshCountersHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p RefreshCountersPayload
	if len(t.Payload()) > 0 {
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("refresh counters: payload: %v: %w", err, asynq.SkipRetry)
		}
	}
	if err := h.Catalog.RefreshCounters(ctx); err != nil {
		return fmt.Errorf("refresh counters: %w", err)
	}
	return nil
}
