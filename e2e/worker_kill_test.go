package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/recognizer"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/workers"
)

// stuckEmbedder never finishes: it stands for a worker that dies mid-task.
type stuckEmbedder struct{ started chan struct{} }

func (stuckEmbedder) Dim() int             { return 1 }
func (stuckEmbedder) ModelVersion() string { return "tag" }
func (e stuckEmbedder) Embed(ctx context.Context, _ []*image.RGBA) ([][]float32, error) {
	close(e.started)
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestWorkerStoppedMidTaskLosesNothing stops a worker while it runs a scan:
// asynq hands the task back, a second worker finishes it, the waiting API
// call gets the result, and the result is stored exactly once.
func TestWorkerStoppedMidTaskLosesNothing(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	ctx := context.Background()
	_, err := demo.Load(ctx, db, db, demo.Options{Today: time.Now().UTC(), Days: 2})
	require.NoError(t, err)
	q := workers.NewQueue(redisAddr())
	q.QueueName = fmt.Sprintf("scans-kill-%d", time.Now().UnixNano())
	t.Cleanup(func() { _ = q.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	scans := scanService(t, scanning.Config{Store: db, Queue: q, Wait: 30 * time.Second, Log: quiet}, t.TempDir(), []byte("kill"), nil)

	startWorker := func(emb catalog.Embedder) (stop func()) {
		wctx, cancel := context.WithCancel(ctx)
		pipe := &recognizer.Pipeline{Detector: wholeFrame{}, Embedder: emb, Index: demoTags, OCR: noText{}, Catalog: db}
		h := &workers.RecognizeHandler{Scans: scans, Decode: decodeJPEG, Pipeline: pipe, Log: quiet}
		done := make(chan error, 1)
		go func() {
			done <- workers.Run(wctx, workers.Config{Redis: asynq.RedisClientOpt{Addr: redisAddr()}, Concurrency: 1,
				Queues: map[string]int{q.QueueName: 1}, Log: quiet, ShutdownTimeout: 300 * time.Millisecond,
				RetryDelay: 100 * time.Millisecond, Handlers: map[string]asynq.Handler{workers.TypeRecognize: h}})
		}()
		return func() { cancel(); require.NoError(t, <-done) }
	}

	apiH, err := api.New(api.Config{Catalog: db, Scanning: scans, ValidateImage: validateJPEG, OpenRecognition: true, Log: quiet})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, apiH))
	t.Cleanup(srv.Close)
	f := recFixture{t: t, url: srv.URL, db: db}

	started := make(chan struct{})
	stopA := startWorker(stuckEmbedder{started})
	type reply struct {
		status int
		body   []byte
	}
	replies := make(chan reply, 1)
	go func() {
		res, body := f.post("/api/cards/recognize", [][]byte{jpegOf(t, 32, 32, 30)}, nil)
		replies <- reply{res.StatusCode, body}
	}()
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatal("worker A never started the scan")
	}
	stopA() // the worker goes away mid-task

	stopB := startWorker(tagEmbedder{})
	defer stopB()
	var r reply
	select {
	case r = <-replies:
	case <-time.After(30 * time.Second):
		t.Fatal("no answer after the second worker")
	}
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var out catalog.ScanResult
	require.NoError(t, json.Unmarshal(r.body, &out))
	require.Equal(t, int64(500002), out.Candidates[0].CardID)

	var status string
	var finished int
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT status, count(finished_at) FROM scans WHERE id = $1 GROUP BY status`, out.ScanID).Scan(&status, &finished))
	require.Equal(t, "done", status)
	require.Equal(t, 1, finished)

	// a late duplicate delivery changes nothing
	task, err := workers.NewRecognizeTask(out.ScanID)
	require.NoError(t, err)
	h := &workers.RecognizeHandler{Scans: scans, Decode: decodeJPEG, Pipeline: &recognizer.Pipeline{Detector: wholeFrame{},
		Embedder: tagEmbedder{}, Index: tagIndex{30: 441076}, OCR: noText{}, Catalog: db}, Log: quiet}
	require.NoError(t, h.ProcessTask(ctx, task))
	sc, err := db.Scan(ctx, out.ScanID)
	require.NoError(t, err)
	require.Equal(t, int64(500002), sc.Result.Candidates[0].CardID, "the first stored result stands")
}
