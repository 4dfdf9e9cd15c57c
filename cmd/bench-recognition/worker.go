package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"gocv.io/x/gocv"

	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/workers"
)

// WorkerFlags configure the hidden -worker mode: the bench re-executes
// itself as the recognition worker process.
type WorkerFlags struct {
	DB, Redis, Queue string
	Concurrency      int
	NoZoom           bool // read reprint families on the canonical rectification
}

// runWorker serves recognition tasks of one queue until ctx ends: the real
// pipeline of internal/wire with one ONNX Runtime and one OpenCV thread per
// task slot and one Tesseract client per slot.
func runWorker(ctx context.Context, f WorkerFlags) error {
	gocv.SetNumThreads(1)
	db, err := postgres.Open(ctx, f.DB)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer db.Close()
	rec, err := wire.NewRecognition(wire.Config{ModelPath: wire.DefaultModel(), Provider: "cpu", Threads: 1,
		OCRClients: f.Concurrency}, db)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer rec.Close()
	if f.NoZoom {
		rec.Pipeline.Zoom = nil
	}
	q := workers.NewQueue(f.Redis)
	q.QueueName = f.Queue
	defer q.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	scans := scanning.New(scanning.Config{Store: db, Queue: q, Log: log})
	defer scans.Close()
	h := &workers.RecognizeHandler{Scans: scans, Decode: wire.Decode, Pipeline: rec.Pipeline, Log: log}
	return workers.Run(ctx, workers.Config{Redis: asynq.RedisClientOpt{Addr: f.Redis}, Concurrency: f.Concurrency,
		Queues: map[string]int{f.Queue: 1}, Log: log, Handlers: map[string]asynq.Handler{workers.TypeRecognize: h}})
}

// WorkerProc is a worker child process.
type WorkerProc struct {
	cmd  *exec.Cmd
	done chan error
}

// StartWorker re-executes this binary as a worker on the queue. With cpus
// set ("0") it runs under taskset on those cores with GOMAXPROCS 1.
func StartWorker(ctx context.Context, f WorkerFlags, cpus string) (*WorkerProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	args := []string{exe, "-worker", "-worker-db", f.DB, "-redis", f.Redis, "-worker-queue", f.Queue,
		"-worker-concurrency", strconv.Itoa(f.Concurrency), "-worker-no-zoom=" + strconv.FormatBool(f.NoZoom)}
	env := os.Environ()
	if cpus != "" {
		args = append([]string{"taskset", "-c", cpus}, args...)
		env = append(env, "GOMAXPROCS=1")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	w := &WorkerProc{cmd: cmd, done: make(chan error, 1)}
	go func() { w.done <- cmd.Wait() }()
	select {
	case err := <-w.done:
		return nil, fmt.Errorf("worker exited at start: %w", err)
	case <-time.After(200 * time.Millisecond):
	case <-ctx.Done():
		w.Stop()
		return nil, ctx.Err()
	}
	return w, nil
}

// Stop ends the worker (SIGINT, then kill after 20 s) and waits for it.
func (w *WorkerProc) Stop() {
	_ = w.cmd.Process.Signal(os.Interrupt)
	select {
	case <-w.done:
	case <-time.After(20 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.done
	}
}
