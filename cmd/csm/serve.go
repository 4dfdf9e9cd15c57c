package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/recognizer/detect"
	"github.com/collectorstash/csm/scanpwa"
	"github.com/collectorstash/csm/workers"
)

func serveCmd(cfg *config) *cobra.Command {
	var withWorker bool
	var concurrency int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API (optionally with a worker in the same process)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			logWithRequestIDs()
			db, err := openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			rdb := openRedis(cfg)
			defer rdb.Close()
			keys := keyCacheDeps(cfg, rdb, db, false)
			defer keys.Close()
			lim, secret, err := accountDeps(ctx, cfg, rdb, db, keys)
			if err != nil {
				return err
			}
			defer lim.Close() // before rdb's Close (deferred earlier)
			// a revoke or tier change heard on the key cache's channel gives
			// the key's lease back at once
			keys.OnDrop(func(id int64) { lim.Forget(ctx, api.RequestBucket(id)) })
			q := workers.NewQueueFromClient(rdb)
			defer q.Close()
			det := wire.QuickDetector{Detector: detect.New()}
			scanEvents := workers.NewScanEventsFromClient(rdb)
			defer scanEvents.Close()
			batchEvents := workers.NewBatchEventsFromClient(rdb)
			defer batchEvents.Close()
			scans := scanningService(cfg, db, q, scanEvents, batchEvents, secret)
			scans.Start(ctx)
			defer scans.Close()
			pages, err := scanpwa.New()
			if err != nil {
				return err
			}
			closeQueueMetrics := queueMetrics(cfg)
			defer closeQueueMetrics()
			ui := queueUI(cfg)
			defer ui.Close()
			metricsAddr := cfg.MetricsAddr
			hub, conns, heartbeat, stopRealtime := realtimeDeps(cfg, rdb, db)
			defer stopRealtime()
			pricingSvc := pricingDeps(cfg, rdb, db)
			metaSvc := metaService(db, nil)
			notifier := notifyDeps(cfg, db, devicePush{metaSvc})
			acctMail := accountMailDeps(cfg, db)
			comm := communityService(cfg, db, db.Events, notifier)
			mkt, reminders := marketDeps(cfg, db, secret, notifier, acctMail, comm)
			h, err := api.New(api.Config{
				Pricing:  pricingSvc,
				Scanning: scans, Detect: det, ValidateImage: wire.Validate,
				Catalog:      db,
				Log:          slog.Default(),
				ExtraOrigins: api.ParseOrigins(cfg.ExtraOrigins),
				StaticDir:    filepath.Join(cfg.DataDir, "static"),
				CacheTTL:     cfg.CacheTTL,
				Accounts:     keys, Keys: keys, Limiter: procMetrics.WrapLimiter(lim), SessionSecret: secret, TrustedProxies: cfg.TrustedProxies,
				Metrics: procMetrics, MetricsElsewhere: metricsAddr != "", QueueUI: ui,
				PublicURL: cfg.PublicURL, Pages: pages,
				Stream: hub, StreamConns: conns, StreamHeartbeat: heartbeat,
				Collection: collectionDeps(cfg, db, mkt), Notify: notifier,
				Community: comm, Meta: metaSvc,
				Market: mkt, AccountMail: acctMail,
			})
			if err != nil {
				return err
			}
			srv := &http.Server{Addr: cfg.Addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
			g, ctx := errgroup.WithContext(ctx)
			g.Go(func() error {
				slog.Info("api listening", "addr", cfg.Addr)
				if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
					return fmt.Errorf("serve: %w", err)
				}
				return nil
			})
			g.Go(func() error {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				slog.Info("api shutting down")
				_ = scans.Close() // waits and event streams end now
				_ = hub.Close()   // WebSockets are hijacked: Shutdown does not end them
				return srv.Shutdown(sctx)
			})
			g.Go(func() error { return serveMetrics(ctx, metricsAddr) })
			g.Go(func() error { reminders(ctx); return nil })
			if withWorker {
				g.Go(func() error { return runWorker(ctx, cfg, rdb, db, concurrency) })
			}
			return g.Wait()
		},
	}
	cmd.Flags().StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	cmd.Flags().BoolVar(&withWorker, "with-worker", false, "also run a worker in this process")
	cmd.Flags().IntVar(&concurrency, "concurrency", 2, "worker concurrency (with --with-worker)")
	return cmd
}
