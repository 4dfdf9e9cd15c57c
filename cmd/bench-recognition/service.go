package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/photos"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/workers"
)

// Service is the real API over TCP, enqueueing to a private asynq queue.
type Service struct {
	URL   string
	srv   *http.Server
	queue *workers.Queue
	http  *http.Client
}

// StartService serves api.New on a free loopback port. Scans go to queue
// on Redis at redis; uploads are stored under dataDir.
func StartService(ctx context.Context, db *postgres.DB, redis, queue, dataDir string) (*Service, error) {
	q := workers.NewQueue(redis)
	q.QueueName = queue
	if err := q.Ping(ctx); err != nil {
		_ = q.Close()
		return nil, fmt.Errorf("redis at %s (make services): %w", redis, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = q.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	scans := scanning.New(scanning.Config{Store: db, Queue: q, Photos: photos.New(filepath.Join(dataDir, "photos"), []byte("bench"), nil),
		Wait: 5 * time.Minute, Log: quiet})
	h, err := api.New(api.Config{Catalog: db, Scanning: scans, ValidateImage: wire.Validate, OpenRecognition: true, Log: quiet})
	if err != nil {
		return nil, err
	}
	s := &Service{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		queue: q, http: &http.Client{Timeout: 6 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("bench: api", "err", err)
		}
	}()
	return s, nil
}

// Close stops the server and the queue client.
func (s *Service) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(s.srv.Shutdown(ctx), s.queue.Close())
}

// Recognize posts one photo to /api/cards/recognize (multipart "image",
// optional tcg_slug) and returns the result and the round-trip time.
func (s *Service) Recognize(ctx context.Context, photo []byte, game string) (catalog.ScanResult, time.Duration, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if game != "" {
		if err := w.WriteField("tcg_slug", game); err != nil {
			return catalog.ScanResult{}, 0, fmt.Errorf("recognize: %w", err)
		}
	}
	p, err := w.CreateFormFile("image", "photo.jpg")
	if err != nil {
		return catalog.ScanResult{}, 0, fmt.Errorf("recognize: %w", err)
	}
	_, _ = p.Write(photo)
	if err := w.Close(); err != nil {
		return catalog.ScanResult{}, 0, fmt.Errorf("recognize: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/api/cards/recognize", &body)
	if err != nil {
		return catalog.ScanResult{}, 0, fmt.Errorf("recognize: %w", err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	start := time.Now()
	res, err := s.http.Do(req)
	if err != nil {
		return catalog.ScanResult{}, 0, fmt.Errorf("recognize: %w", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	took := time.Since(start)
	if err != nil {
		return catalog.ScanResult{}, took, fmt.Errorf("recognize: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return catalog.ScanResult{}, took, fmt.Errorf("recognize: %s: %s", res.Status, bytes.TrimSpace(data))
	}
	var out catalog.ScanResult
	if err := json.Unmarshal(data, &out); err != nil {
		return out, took, fmt.Errorf("recognize: decode: %w", err)
	}
	return out, took, nil
}
