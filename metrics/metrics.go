// Package metrics is the service's Prometheus instrumentation: HTTP
// request latency per route template and status, recognition stage
// timings and outcomes (from the worker), asynq queue depth and task
// outcomes (read from Redis at scrape time) and rate-limiter decisions.
// Every series is prefixed csm_.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/collectorstash/csm/catalog"
)

// Metrics holds the collectors of one process, on a registry of its own.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.HistogramVec
	stages    *prometheus.HistogramVec
	scans     *prometheus.CounterVec
	decisions *prometheus.CounterVec
}

// New returns the collectors registered on a fresh registry (with the Go
// runtime and process collectors).
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "csm_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route template and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "status"}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "csm_scan_stage_duration_seconds",
			Help:    "Recognition pipeline stage timings (decode, detect, embed, search, ocr, verify, score, total…).",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"stage"}),
		scans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "csm_scan_tasks_total",
			Help: "Recognition tasks finished by this process, by outcome (done, failed).",
		}, []string{"status"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "csm_ratelimit_decisions_total",
			Help: "Rate-limiter decisions by budget (minute, daily) and decision (allowed, refused, error).",
		}, []string{"budget", "decision"}),
	}
	m.reg.MustRegister(m.requests, m.stages, m.scans, m.decisions,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Register adds a collector (e.g. the queue collector).
func (m *Metrics) Register(c prometheus.Collector) error { return m.reg.Register(c) }

// ObserveRequest records one HTTP request; route is the template
// ("/api/v2/cards/:id"), "" for an unmatched path.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(took.Seconds())
}

// ObserveScan records a finished recognition: its stage timings in
// milliseconds (the pipeline's timings_ms) and its outcome.
func (m *Metrics) ObserveScan(timingsMS map[string]float64, status catalog.ScanStatus) {
	for stage, ms := range timingsMS {
		m.stages.WithLabelValues(stage).Observe(ms / 1000)
	}
	m.scans.WithLabelValues(string(status)).Inc()
}

// Rate-limiter decisions.
const (
	DecisionAllowed = "allowed"
	DecisionRefused = "refused"
	DecisionError   = "error"
)

func (m *Metrics) decide(budget string, res catalog.LimitResult, err error) {
	d := DecisionAllowed
	switch {
	case err != nil:
		d = DecisionError
	case !res.Allowed:
		d = DecisionRefused
	}
	m.decisions.WithLabelValues(budget, d).Inc()
}

// Limiter counts the decisions of a rate limiter.
type Limiter struct {
	catalog.RateLimiter
	m *Metrics
}

var _ catalog.RateLimiter = Limiter{}

// WrapLimiter returns l counting its decisions on m.
func (m *Metrics) WrapLimiter(l catalog.RateLimiter) Limiter { return Limiter{RateLimiter: l, m: m} }

// AllowMinute implements catalog.RateLimiter.
func (l Limiter) AllowMinute(ctx context.Context, bucket string, perMinute int64) (catalog.LimitResult, error) {
	res, err := l.RateLimiter.AllowMinute(ctx, bucket, perMinute)
	l.m.decide("minute", res, err)
	return res, err
}

// TakeDaily implements catalog.RateLimiter.
func (l Limiter) TakeDaily(ctx context.Context, bucket string, n, limit int64, now time.Time) (catalog.LimitResult, error) {
	res, err := l.RateLimiter.TakeDaily(ctx, bucket, n, limit, now)
	l.m.decide("daily", res, err)
	return res, err
}

// TakeKey implements catalog.RateLimiter: the minute decision always, the
// daily one when the minute allowed (only then is the day counted).
func (l Limiter) TakeKey(ctx context.Context, minuteBucket string, perMinute int64, dayBucket string, perDay int64, now time.Time) (catalog.LimitResult, catalog.LimitResult, error) {
	minute, day, err := l.RateLimiter.TakeKey(ctx, minuteBucket, perMinute, dayBucket, perDay, now)
	l.m.decide("minute", minute, err)
	if err == nil && minute.Allowed {
		l.m.decide("daily", day, nil)
	}
	return minute, day, err
}
