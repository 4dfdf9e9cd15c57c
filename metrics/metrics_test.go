package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/metrics"
)

// fakeLimiter answers allowed, refused, then fails.
type fakeLimiter struct{ n int }

func (l *fakeLimiter) next() (catalog.LimitResult, error) {
	l.n++
	switch l.n {
	case 1:
		return catalog.LimitResult{Allowed: true}, nil
	case 2:
		return catalog.LimitResult{Allowed: false}, nil
	}
	return catalog.LimitResult{}, errors.New("redis down")
}

func (l *fakeLimiter) AllowMinute(context.Context, string, int64) (catalog.LimitResult, error) {
	return l.next()
}

func (l *fakeLimiter) TakeDaily(context.Context, string, int64, int64, time.Time) (catalog.LimitResult, error) {
	return l.next()
}

func (l *fakeLimiter) TakeKey(context.Context, string, int64, string, int64, time.Time) (catalog.LimitResult, catalog.LimitResult, error) {
	m, err := l.next()
	return m, catalog.LimitResult{}, err
}

func (l *fakeLimiter) UsedToday(context.Context, []string, time.Time) ([]int64, error) {
	return nil, nil
}

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.String()
}

func TestSeries(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.ObserveRequest("GET", "/api/v2/cards/:id", 200, 3*time.Millisecond)
	m.ObserveRequest("GET", "", 404, time.Millisecond)
	m.ObserveScan(map[string]float64{"embed": 40}, catalog.ScanDone)
	m.ObserveScan(nil, catalog.ScanFailed)
	l := m.WrapLimiter(&fakeLimiter{})
	_, _ = l.AllowMinute(t.Context(), "b", 1)
	_, _ = l.TakeDaily(t.Context(), "b", 1, 1, time.Now())
	_, _ = l.AllowMinute(t.Context(), "b", 1)

	body := scrape(t, m)
	for _, s := range []string{
		`csm_http_request_duration_seconds_count{method="GET",route="/api/v2/cards/:id",status="200"} 1`,
		`csm_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`csm_scan_stage_duration_seconds_count{stage="embed"} 1`,
		`csm_scan_tasks_total{status="done"} 1`,
		`csm_scan_tasks_total{status="failed"} 1`,
		`csm_ratelimit_decisions_total{budget="minute",decision="allowed"} 1`,
		`csm_ratelimit_decisions_total{budget="daily",decision="refused"} 1`,
		`csm_ratelimit_decisions_total{budget="minute",decision="error"} 1`,
	} {
		require.Contains(t, body, s)
	}
}
