package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/metrics"
	"github.com/collectorstash/csm/photos"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/recognizer"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/workers"
)

// redisAddr is the toolbox's Redis unless CSM_REDIS_ADDR says otherwise.
func redisAddr() string {
	if a := os.Getenv("CSM_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:56379"
}

// recFixture is the API over real HTTP with a real asynq worker on real
// Redis and Postgres, the worker running the given pipeline.
type recFixture struct {
	t    *testing.T
	url  string
	db   *postgres.DB
	data string
	// metrics receives the worker's scan timings and outcomes
	metrics *metrics.Metrics
}

// setupRecognition starts API + worker on a private asynq queue namespace
// (a Redis DB of its own per test would limit parallelism; task ids are
// unique scan ids, so tests share Redis safely).
func setupRecognition(t *testing.T, pipe func(*postgres.DB) *recognizer.Pipeline, validate func([]byte) error, decode func([]byte) (*image.RGBA, error)) recFixture {
	t.Helper()
	db, _ := pgtest.New(t)
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := demo.Load(ctx, db, db, demo.Options{Today: time.Now().UTC(), Days: 3})
	require.NoError(t, err)
	q := workers.NewQueue(redisAddr())
	require.NoError(t, q.Ping(ctx), "redis must be running (make services)")
	queue := fmt.Sprintf("scans-%p", t) // one queue per test: workers of other tests never take our tasks
	q.QueueName = queue
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	batches := workers.NewBatchEvents(redisAddr())
	t.Cleanup(func() { _ = batches.Close() })
	scans := scanService(t, scanning.Config{Store: db, Queue: q, BatchEvents: batches, Wait: 20 * time.Second, Log: quiet}, data, []byte("recognition-secret"), nil)
	m := metrics.New()
	h := &workers.RecognizeHandler{Scans: scans, Decode: decode, Pipeline: pipe(db), Log: quiet, Observe: m.ObserveScan}
	done := make(chan error, 1)
	go func() {
		done <- workers.Run(ctx, workers.Config{Redis: asynq.RedisClientOpt{Addr: redisAddr()}, Concurrency: 2,
			Queues: map[string]int{queue: 1}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Handlers: map[string]asynq.Handler{workers.TypeRecognize: h}})
	}()
	apiH, err := api.New(api.Config{Catalog: db, Scanning: scans, ValidateImage: validate, OpenRecognition: true, Log: quiet})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, apiH))
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		_ = q.Close()
	})
	return recFixture{t: t, url: srv.URL, db: db, data: data, metrics: m}
}

// scanService is a fixture's scanning service, its photos under data
// (closed with the test).
func scanService(t testing.TB, c scanning.Config, data string, secret []byte, enc catalog.PhotoEncoder) *scanning.Service {
	t.Helper()
	c.Photos = photos.New(filepath.Join(data, "photos"), secret, enc)
	s := scanning.New(c)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// post sends a multipart form with the given image parts and fields.
func (f recFixture) post(path string, images [][]byte, fields map[string]string) (*http.Response, []byte) {
	f.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		require.NoError(f.t, w.WriteField(k, v))
	}
	field := "image"
	if len(images) > 1 {
		field = "images"
	}
	for i, img := range images {
		p, err := w.CreateFormFile(field, fmt.Sprintf("photo%d.jpg", i))
		require.NoError(f.t, err)
		_, _ = p.Write(img)
	}
	require.NoError(f.t, w.Close())
	res, err := http.Post(f.url+path, w.FormDataContentType(), &body)
	require.NoError(f.t, err)
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	require.NoError(f.t, err)
	return res, out
}

func (f recFixture) getJSON(path string, v any) *http.Response {
	f.t.Helper()
	res, err := http.Get(f.url + path)
	require.NoError(f.t, err)
	defer res.Body.Close()
	require.NoError(f.t, json.NewDecoder(res.Body).Decode(v))
	return res
}

// jpegOf encodes a w×h JPEG whose top-left pixel value v tags it.
func jpegOf(t *testing.T, w, h int, v uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	img.SetRGBA(0, 0, color.RGBA{v, v, v, 255})
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}))
	return b.Bytes()
}
