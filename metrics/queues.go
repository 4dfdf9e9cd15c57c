package metrics

import (
	"log/slog"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// QueueCollector reads asynq's queue statistics from Redis at scrape time:
// tasks per queue and state (pending, active, scheduled, retry, archived,
// completed, aggregating) and the processed / failed task totals kept by
// asynq (every worker process counts there, so one API process reports
// the whole fleet's outcomes).
type QueueCollector struct {
	insp *asynq.Inspector
	log  *slog.Logger

	tasks     *prometheus.Desc
	latency   *prometheus.Desc
	processed *prometheus.Desc
	failed    *prometheus.Desc
	up        *prometheus.Desc
}

var _ prometheus.Collector = (*QueueCollector)(nil)

// NewQueueCollector returns a collector over the inspector (the caller
// closes it).
func NewQueueCollector(insp *asynq.Inspector, log *slog.Logger) *QueueCollector {
	if log == nil {
		log = slog.Default()
	}
	return &QueueCollector{insp: insp, log: log,
		tasks:     prometheus.NewDesc("csm_queue_tasks", "Tasks in an asynq queue by state.", []string{"queue", "state"}, nil),
		latency:   prometheus.NewDesc("csm_queue_latency_seconds", "Age of the oldest pending task of a queue.", []string{"queue"}, nil),
		processed: prometheus.NewDesc("csm_queue_processed_total", "Tasks processed (succeeded or failed) from a queue.", []string{"queue"}, nil),
		failed:    prometheus.NewDesc("csm_queue_failed_total", "Tasks of a queue whose processing failed.", []string{"queue"}, nil),
		up:        prometheus.NewDesc("csm_queue_up", "1 when the queue statistics could be read from Redis.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.tasks
	ch <- q.latency
	ch <- q.processed
	ch <- q.failed
	ch <- q.up
}

// Collect implements prometheus.Collector.
func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	names, err := q.insp.Queues()
	if err != nil {
		q.log.Warn("metrics: queues not readable", "err", err)
		ch <- prometheus.MustNewConstMetric(q.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(q.up, prometheus.GaugeValue, 1)
	for _, name := range names {
		info, err := q.insp.GetQueueInfo(name)
		if err != nil {
			continue // deleted between the two calls
		}
		for state, n := range map[string]int{"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled,
			"retry": info.Retry, "archived": info.Archived, "completed": info.Completed, "aggregating": info.Aggregating} {
			ch <- prometheus.MustNewConstMetric(q.tasks, prometheus.GaugeValue, float64(n), name, state)
		}
		ch <- prometheus.MustNewConstMetric(q.latency, prometheus.GaugeValue, info.Latency.Seconds(), name)
		ch <- prometheus.MustNewConstMetric(q.processed, prometheus.CounterValue, float64(info.ProcessedTotal), name)
		ch <- prometheus.MustNewConstMetric(q.failed, prometheus.CounterValue, float64(info.FailedTotal), name)
	}
}
