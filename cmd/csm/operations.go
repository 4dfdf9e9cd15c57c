package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"

	"github.com/collectorstash/csm/internal/reqid"
	"github.com/collectorstash/csm/metrics"
)

// procMetrics is this process's Prometheus registry: the API's request
// latencies and limiter decisions, and the worker's scan stage timings
// (one registry when `serve --with-worker` runs both).
var procMetrics = metrics.New()

// logWithRequestIDs makes the default logger add request_id to every line
// logged with a request's context.
func logWithRequestIDs() {
	slog.SetDefault(slog.New(reqid.Handler(slog.Default().Handler())))
}

// queueMetrics registers the asynq queue collector (queue depth, task
// outcomes) on procMetrics; the returned func closes its inspector.
func queueMetrics(cfg *config) func() {
	insp := asynq.NewInspector(redisOpt(cfg))
	if err := procMetrics.Register(metrics.NewQueueCollector(insp, slog.Default())); err != nil {
		slog.Warn("queue metrics not registered", "err", err)
	}
	return func() { _ = insp.Close() }
}

// queueUI is the asynqmon UI for /admin/queues (admins only, enforced by
// the API). CSM_QUEUE_UI_READONLY=1 hides its buttons.
func queueUI(cfg *config) *asynqmon.HTTPHandler {
	return asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: redisOpt(cfg),
		ReadOnly: cfg.QueueUIReadOnly})
}

// serveMetrics serves procMetrics on addr (CSM_METRICS_ADDR, e.g.
// 127.0.0.1:9100) until ctx ends; "" serves nothing.
func serveMetrics(ctx context.Context, addr string) error {
	if addr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", procMetrics.Handler())
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	slog.Info("metrics listening", "addr", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
