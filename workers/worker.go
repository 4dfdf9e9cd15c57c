// Package workers runs the platform's background jobs on asynq (Redis): one
// TypeX constant, NewXTask constructor and handler per task, a worker process
// that serves them with configurable concurrency, and the periodic schedule.
package workers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Config configures a worker process.
type Config struct {
	// Client is the process's shared Redis client; when nil, Redis says
	// where to connect.
	Client      redis.UniversalClient
	Redis       asynq.RedisConnOpt
	Concurrency int
	Log         *slog.Logger
	// Handlers maps task types to their handlers (wired in main).
	Handlers map[string]asynq.Handler
	// Schedule maps cron specs to tasks enqueued periodically.
	Schedule map[string]*asynq.Task
	// Queues and their priorities; scans, default and low by default.
	Queues map[string]int
	// ShutdownTimeout is how long in-flight tasks may finish on shutdown
	// before they go back to the queue (asynq's default when 0).
	ShutdownTimeout time.Duration
	// RetryDelay overrides asynq's exponential back-off (tests).
	RetryDelay time.Duration
}

// Run serves tasks until ctx is cancelled, then shuts down gracefully:
// in-flight tasks finish or are handed back to the queue for a retry.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	queues := cfg.Queues
	if queues == nil {
		queues = map[string]int{QueueScans: 6, "default": 3, "low": 1}
	}
	acfg := asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          queues,
		Logger:          slogAdapter{log},
		ShutdownTimeout: cfg.ShutdownTimeout,
		RetryDelayFunc:  retryDelay(cfg.RetryDelay),
		// asynq looks at empty queues once a second by default: a lone
		// photo would wait up to that long before a free worker took it.
		// 20 ms costs an idle worker ~50 cheap Redis calls a second.
		TaskCheckInterval: 20 * time.Millisecond,
	}
	var srv *asynq.Server
	if cfg.Client != nil {
		srv = asynq.NewServerFromRedisClient(cfg.Client, acfg)
	} else {
		srv = asynq.NewServer(cfg.Redis, acfg)
	}
	mux := asynq.NewServeMux()
	for typ, h := range cfg.Handlers {
		mux.Handle(typ, h)
	}
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("worker: start: %w", err)
	}
	var sched *asynq.Scheduler
	if len(cfg.Schedule) > 0 {
		opts := &asynq.SchedulerOpts{Logger: slogAdapter{log}}
		if cfg.Client != nil {
			sched = asynq.NewSchedulerFromRedisClient(cfg.Client, opts)
		} else {
			sched = asynq.NewScheduler(cfg.Redis, opts)
		}
		for spec, task := range cfg.Schedule {
			if _, err := sched.Register(spec, task); err != nil {
				srv.Shutdown()
				return fmt.Errorf("worker: schedule %s: %w", spec, err)
			}
		}
		if err := sched.Start(); err != nil {
			srv.Shutdown()
			return fmt.Errorf("worker: scheduler: %w", err)
		}
	}
	log.Info("worker started", "concurrency", cfg.Concurrency, "tasks", len(cfg.Handlers))
	<-ctx.Done()
	if sched != nil {
		sched.Shutdown()
	}
	srv.Shutdown()
	log.Info("worker stopped")
	return nil
}

func retryDelay(d time.Duration) asynq.RetryDelayFunc {
	if d <= 0 {
		return asynq.DefaultRetryDelayFunc
	}
	return func(int, error, *asynq.Task) time.Duration { return d }
}

// slogAdapter makes asynq log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a slogAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
