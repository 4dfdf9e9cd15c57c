package main

import (
	"context"
	"log/slog"
	"path/filepath"

	"github.com/hibiken/asynq"
	"github.com/spf13/cobra"

	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/workers"
)

func workerCmd(cfg *config) *cobra.Command {
	var concurrency int
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run background jobs from the Redis queue",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := openDB(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			return runWorker(cmd.Context(), cfg, db, concurrency)
		},
	}
	cmd.Flags().IntVar(&concurrency, "concurrency", 2, "tasks run at once")
	return cmd
}

func runWorker(ctx context.Context, cfg *config, db *postgres.DB, concurrency int) error {
	refresh, err := workers.NewRefreshCountersTask("schedule")
	if err != nil {
		return err
	}
	rec, err := wire.NewRecognition(recognitionConfig(), db)
	if err != nil {
		return err
	}
	defer rec.Close()
	q := workers.NewQueue(cfg.RedisAddr)
	defer q.Close()
	return workers.Run(ctx, workers.Config{
		Redis:       redisOpt(cfg),
		Concurrency: concurrency,
		Log:         slog.Default(),
		Handlers: map[string]asynq.Handler{
			workers.TypeRefreshCounters: &workers.RefreshCountersHandler{Catalog: db},
			workers.TypeExpireScanSessions: &workers.ExpireScanSessionsHandler{Store: db,
				PhotoDir: filepath.Join(cfg.DataDir, "static", "scans"), Log: slog.Default()},
			workers.TypeRecognize: &workers.RecognizeHandler{Store: db, Notify: q.NotifyScan, Decode: wire.Decode,
				Pipeline: rec.Pipeline, Debug: debugSink(cfg.DataDir), Log: slog.Default()},
		},
		Schedule: map[string]*asynq.Task{"@every 10m": refresh,
			workers.ExpireScanSessionsSchedule: workers.NewExpireScanSessionsTask()},
	})
}
