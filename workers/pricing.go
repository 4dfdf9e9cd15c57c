package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/hibiken/asynq"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/pricing"
)

// TypeRefreshMarket recomputes the market payloads (movers, spreads,
// stats, top predictions) into Redis and publishes movers and
// prices_refreshed.
const TypeRefreshMarket = "pricing:refresh_market"

// RefreshMarketSchedule runs the market refresh every 30 minutes (prices
// arrive daily; the refresh is cheap enough to follow imports closely).
const RefreshMarketSchedule = "@every 30m"

// RefreshMarketPayload is the task payload.
type RefreshMarketPayload struct {
	Reason string `json:"reason,omitempty"`
}

// NewRefreshMarketTask returns a refresh task; duplicates within ten
// minutes collapse into one.
func NewRefreshMarketTask(reason string) (*asynq.Task, error) {
	b, err := json.Marshal(RefreshMarketPayload{Reason: reason})
	if err != nil {
		return nil, fmt.Errorf("refresh market: payload: %w", err)
	}
	return asynq.NewTask(TypeRefreshMarket, b, asynq.MaxRetry(3), asynq.Unique(10*time.Minute), asynq.Timeout(30*time.Minute)), nil
}

// MarketRefresher is the service call the task makes.
type MarketRefresher interface {
	RefreshMarket(ctx context.Context) (pricing.RefreshReport, error)
}

// RefreshMarketHandler runs TypeRefreshMarket tasks.
type RefreshMarketHandler struct {
	Market MarketRefresher
	Log    *slog.Logger
}

// ProcessTask implements asynq.Handler.
func (h *RefreshMarketHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p RefreshMarketPayload
	if len(t.Payload()) > 0 {
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("refresh market: payload: %v: %w", err, asynq.SkipRetry)
		}
	}
	rep, err := h.Market.RefreshMarket(ctx)
	if err != nil {
		return fmt.Errorf("refresh market: %w", err)
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "market refreshed", "cards", rep.Cards, "spreads", rep.Spreads, "took", rep.Took, "reason", p.Reason)
	}
	return nil
}

// TypeRefreshRates loads the exchange rates from the rates file
// (CSM_RATES_FILE, the ECB eurofxref.csv format).
const TypeRefreshRates = "pricing:refresh_rates"

// NewRefreshRatesTask returns a rates refresh task for file.
func NewRefreshRatesTask(file string) (*asynq.Task, error) {
	b, err := json.Marshal(RefreshRatesPayload{File: file})
	if err != nil {
		return nil, fmt.Errorf("refresh rates: payload: %w", err)
	}
	return asynq.NewTask(TypeRefreshRates, b, asynq.MaxRetry(3), asynq.Unique(10*time.Minute)), nil
}

// RefreshRatesPayload names the rates file.
type RefreshRatesPayload struct {
	File string `json:"file"`
}

// RatesRefresher is the service call of the rates task.
type RatesRefresher interface {
	RefreshRates(ctx context.Context, file string, r io.Reader) (int, error)
}

// RefreshRatesHandler runs TypeRefreshRates tasks.
type RefreshRatesHandler struct {
	Rates RatesRefresher
	Log   *slog.Logger
}

// ProcessTask implements asynq.Handler; a malformed file is not retried.
func (h *RefreshRatesHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p RefreshRatesPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.File == "" {
		return fmt.Errorf("refresh rates: payload: %v: %w", err, asynq.SkipRetry)
	}
	f, err := os.Open(p.File)
	if err != nil {
		return fmt.Errorf("refresh rates: %w", err)
	}
	defer f.Close()
	n, err := h.Rates.RefreshRates(ctx, p.File, f)
	if catalog.ErrorCode(err) == catalog.EINVALID {
		return fmt.Errorf("refresh rates: %v: %w", err, asynq.SkipRetry)
	}
	if err != nil {
		return fmt.Errorf("refresh rates: %w", err)
	}
	if h.Log != nil {
		h.Log.InfoContext(ctx, "rates refreshed", "currencies", n, "file", p.File)
	}
	return nil
}
