package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/retrain"
	"github.com/collectorstash/csm/workers"
)

func workerCmd(cfg *config) *cobra.Command {
	var concurrency int
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run background jobs from the Redis queue",
		Long: `Runs scans, counters and session expiry, and, on a queue of its own
with one slot, feedback retraining (scheduled by CSM_RETRAIN_CRON, e.g.
"0 3 * * *"; off when empty). Scans use the active model version's file when
one is recorded (a promoted retrain), re-checked every CSM_MODEL_CHECK (1m);
CSM_MODEL pins a model file instead. CSM_WORKER_METRICS_ADDR (e.g.
127.0.0.1:9101) serves the worker's Prometheus metrics (scan stage
timings, task outcomes, queue depth) at /metrics.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logWithRequestIDs()
			db, err := openDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			rdb := openRedis(cfg)
			defer rdb.Close()
			closeQueueMetrics := queueMetrics(cfg)
			defer closeQueueMetrics()
			g, ctx := errgroup.WithContext(cmd.Context())
			g.Go(func() error { return serveMetrics(ctx, cfg.WorkerMetricsAddr) })
			g.Go(func() error { return runWorker(ctx, cfg, rdb, db, concurrency) })
			return g.Wait()
		},
	}
	cmd.Flags().IntVar(&concurrency, "concurrency", 2, "tasks run at once")
	return cmd
}

// runWorker serves the task queues on the process's Redis client rdb, and
// sweeps for scans whose queue entry was lost (CSM_REQUEUE_AFTER).
func runWorker(ctx context.Context, cfg *config, rdb *redis.Client, db *postgres.DB, concurrency int) error {
	refresh, err := workers.NewRefreshCountersTask("schedule")
	if err != nil {
		return err
	}
	market, err := workers.NewRefreshMarketTask("schedule")
	if err != nil {
		return err
	}
	pricingSvc := pricingDeps(cfg, rdb, db)
	schedule0 := map[string]*asynq.Task{"@every 10m": refresh, workers.RefreshMarketSchedule: market,
		workers.ExpireScanSessionsSchedule: workers.NewExpireScanSessionsTask()}
	// CSM_RATES_FILE (ECB eurofxref.csv) is re-read every 6 hours
	if file := cfg.RatesFile; file != "" {
		rt, err := workers.NewRefreshRatesTask(file)
		if err != nil {
			return err
		}
		schedule0["@every 6h"] = rt
	}
	// warm the market payloads at start; the schedule keeps them fresh
	if err := enqueueOnce(cfg, market); err != nil {
		slog.Warn("worker: market refresh not queued", "err", err)
	}
	rc := recognitionConfig(cfg)
	pinned := cfg.ModelPinned
	if !pinned {
		if rc.ModelPath, err = wire.ActiveModel(ctx, db, rc.ModelPath); err != nil {
			slog.Warn("worker: active model file unusable, using the default", "model", rc.ModelPath, "err", err)
		}
	}
	rec, err := wire.NewRecognition(rc, db)
	if err != nil {
		return err
	}
	defer rec.Close()
	// the start-up model is closed by rec.Close; models swapped in later by
	// the embedder itself
	emb := retrain.NewSwapEmbedder(rec.Embedder, rc.ModelPath, nil)
	defer emb.Close()
	rec.Pipeline.Embedder = emb
	rec.Pipeline.Index = retrain.PinnedIndex{Index: rec.Index, Embedder: emb}
	q := workers.NewQueueFromClient(rdb)
	defer q.Close()
	sessionEvents := workers.NewScanEventsFromClient(rdb)
	defer sessionEvents.Close()
	batchEvents := workers.NewBatchEventsFromClient(rdb)
	defer batchEvents.Close()
	// the worker signs no URL: the secret is the API's business
	scans := scanningService(cfg, db, q, sessionEvents, batchEvents, nil)
	defer scans.Close()
	probes, stopProbes := statusProbes(cfg, rdb, db)
	defer stopProbes()
	statusCheck, err := workers.NewStatusCheckTask("schedule")
	if err != nil {
		return err
	}
	schedule0[workers.StatusCheckSchedule] = statusCheck

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		(&workers.Requeuer{Store: db, Queue: q, After: cfg.RequeueAfter, Log: slog.Default()}).Run(ctx)
		return nil
	})
	if !pinned {
		every := cfg.ModelCheck
		g.Go(func() error { emb.Watch(ctx, every, db, wire.EmbedderLoader(rc), slog.Default()); return nil })
	}
	g.Go(func() error {
		return workers.Run(ctx, workers.Config{
			Client:      rdb,
			Concurrency: concurrency,
			Log:         slog.Default(),
			Handlers: map[string]asynq.Handler{
				workers.TypeRefreshCounters: &workers.RefreshCountersHandler{Catalog: db},
				workers.TypeRefreshMarket:   &workers.RefreshMarketHandler{Market: pricingSvc, Log: slog.Default()},
				workers.TypeRefreshRates:    &workers.RefreshRatesHandler{Rates: pricingSvc, Log: slog.Default()},
				workers.TypeExpireScanSessions: &workers.ExpireScanSessionsHandler{Store: db,
					Photos: scans.Photos(), Log: slog.Default()},
				workers.TypeRecognize: &workers.RecognizeHandler{Scans: scans, Decode: wire.Decode,
					Pipeline: rec.Pipeline, Debug: scans.Photos().SaveDebug, Observe: procMetrics.ObserveScan, Log: slog.Default()},
				workers.TypeStatusCheck: &workers.StatusCheckHandler{Checker: metaService(db, probes)},
			},
			Schedule: schedule0,
		})
	})
	// retraining: its own server and queue, one task at a time
	schedule := map[string]*asynq.Task{}
	if spec := cfg.RetrainCron; spec != "" {
		t, err := workers.NewRetrainTask("schedule")
		if err != nil {
			return err
		}
		schedule[spec] = t
	}
	g.Go(func() error {
		return workers.Run(ctx, workers.Config{
			Client:      rdb,
			Concurrency: 1,
			Log:         slog.Default(),
			Queues:      map[string]int{workers.QueueRetrain: 1},
			Handlers:    map[string]asynq.Handler{workers.TypeRetrain: &workers.RetrainHandler{Run: retrainRun(cfg, db, rec.Detector)}},
			Schedule:    schedule,
		})
	})
	return g.Wait()
}

// enqueueOnce queues t now; a duplicate already queued is fine.
func enqueueOnce(cfg *config, t *asynq.Task) error {
	c := asynq.NewClient(redisOpt(cfg))
	defer c.Close()
	if _, err := c.Enqueue(t); err != nil && !errors.Is(err, asynq.ErrDuplicateTask) {
		return err
	}
	return nil
}
