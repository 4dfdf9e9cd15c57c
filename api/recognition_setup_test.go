package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/photos"
	"github.com/collectorstash/csm/recognizer"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/scanpwa"
	"github.com/collectorstash/csm/workers"
)

// withRecognition wires recognition, scan sessions, the pages and /static
// into cfg over the fixture's schema (the demo catalogue loaded) and real
// Redis, with a worker on a queue of this test running a stand-in
// pipeline: every photo is the demo Charizard. The real models are tested
// in recognizer/ and e2e/; these tests are about the HTTP edge.
func withRecognition(t *testing.T, f *acct, cfg *api.Config) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := demo.Load(ctx, f.db, f.db, demo.Options{Today: acctStart, Days: 2})
	require.NoError(t, err)
	f.data = t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := workers.NewQueue(redisAddr())
	require.NoError(t, q.Ping(ctx), "redis must be running (make services)")
	q.QueueName = "api-" + f.prefix
	events, batches := workers.NewScanEvents(redisAddr()), workers.NewBatchEvents(redisAddr())
	f.scans = scanning.New(scanning.Config{Store: f.db, Queue: q, Events: events, BatchEvents: batches, Now: f.clock.Now,
		Wait: 20 * time.Second, Log: quiet, Photos: photos.New(filepath.Join(f.data, "photos"), cfg.SessionSecret, nil)})
	h := &workers.RecognizeHandler{Scans: f.scans, Decode: decodeStd, Log: quiet,
		Pipeline: &recognizer.Pipeline{Detector: wholePhoto{}, Embedder: greyEmbedder{}, Index: alwaysCharizard{}, OCR: noOCR{}, Catalog: f.db}}
	done := make(chan error, 1)
	go func() {
		done <- workers.Run(ctx, workers.Config{Redis: asynq.RedisClientOpt{Addr: redisAddr()}, Concurrency: 2,
			Queues: map[string]int{q.QueueName: 1}, Log: quiet, Handlers: map[string]asynq.Handler{workers.TypeRecognize: h}})
	}()
	pages, err := scanpwa.New()
	require.NoError(t, err)
	cfg.Scanning, cfg.Detect = f.scans, oneCard{}
	cfg.ValidateImage = func(b []byte) error {
		if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil {
			return catalog.Errorf(catalog.EUNSUPPORTED, "Unsupported image format")
		}
		return nil
	}
	cfg.StaticDir = filepath.Join(f.data, "static")
	cfg.Pages, cfg.PublicURL = pages, "https://cards.example"
	t.Cleanup(func() {
		cancel()
		<-done
		insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: redisAddr()})
		_ = insp.DeleteQueue(q.QueueName, true)
		_ = insp.Close()
		_ = q.Close()
		_ = f.scans.Close()
		_ = events.Close()
		_ = batches.Close()
	})
}

type wholePhoto struct{}

func (wholePhoto) Detect(context.Context, *image.RGBA) ([]catalog.Detection, error) { return nil, nil }
func (wholePhoto) Rectify(_ context.Context, img *image.RGBA, d catalog.Detection) (catalog.RectifiedCard, error) {
	return catalog.RectifiedCard{Detection: d, Image: img}, nil
}

type greyEmbedder struct{}

func (greyEmbedder) Dim() int             { return 1 }
func (greyEmbedder) ModelVersion() string { return "grey" }
func (greyEmbedder) Embed(_ context.Context, imgs []*image.RGBA) ([][]float32, error) {
	out := make([][]float32, len(imgs))
	for i, im := range imgs {
		out[i] = []float32{float32(im.Pix[0])}
	}
	return out, nil
}

type alwaysCharizard struct{}

func (alwaysCharizard) Search(context.Context, string, []float32, int, string) ([]catalog.Neighbor, error) {
	return []catalog.Neighbor{{CardID: 441076, Distance: 0.08}}, nil
}

type noOCR struct{}

func (noOCR) Read(context.Context, *image.RGBA, string) (catalog.OCRResult, error) {
	return catalog.OCRResult{}, nil
}

// oneCard is a quick detector that finds one card covering the photo.
type oneCard struct{}

func (oneCard) DetectOverlay(_ context.Context, photo []byte) ([]catalog.Detection, []byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(photo))
	if err != nil {
		return nil, nil, catalog.Errorf(catalog.EUNSUPPORTED, "Unsupported image format")
	}
	w, h := float64(cfg.Width), float64(cfg.Height)
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		return nil, nil, err
	}
	return []catalog.Detection{{Corners: [4]catalog.Point{{X: 0, Y: 0}, {X: w, Y: 0}, {X: w, Y: h}, {X: 0, Y: h}}, Score: 0.9, AreaFraction: 1}}, b.Bytes(), nil
}

func decodeStd(b []byte) (*image.RGBA, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, catalog.Errorf(catalog.EINVALID, "Image could not be decoded")
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out, nil
}

// photo is a w×h grey JPEG.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{C: color.Gray{Y: 90}}, image.Point{}, draw.Src)
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}))
	return b.Bytes()
}

// upload posts a multipart form: the files under field, then the fields.
func (c *client) upload(path, field string, files [][]byte, fields map[string]string, hdr ...string) reply {
	t := c.f.t
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		require.NoError(t, w.WriteField(k, v))
	}
	for i, data := range files {
		part, err := w.CreateFormFile(field, fmt.Sprintf("photo%d.jpg", i))
		require.NoError(t, err)
		_, _ = part.Write(data)
	}
	require.NoError(t, w.Close())
	return c.send(http.MethodPost, path, w.FormDataContentType(), body.Bytes(), hdr...)
}
