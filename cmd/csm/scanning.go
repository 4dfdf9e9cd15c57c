package main

import (
	"log/slog"
	"path/filepath"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/photos"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer/scanphoto"
	"github.com/collectorstash/csm/scanning"
)

// photoStore is the one photo store: <data>/photos, session photos as
// WebP, URLs signed with the session secret.
func photoStore(cfg *config, secret []byte) *photos.Store {
	return photos.New(filepath.Join(cfg.DataDir, "photos"), secret, scanphoto.Encoder{})
}

// scanningService wires the scanning use cases of one process; sessions
// and batches publish on their Redis buses (nil in none).
func scanningService(cfg *config, db *postgres.DB, q scanning.Queue, sessions, batches catalog.ScanEvents, secret []byte) *scanning.Service {
	return scanning.New(scanning.Config{Store: db, Queue: q, Photos: photoStore(cfg, secret),
		Events: sessions, BatchEvents: batches, Wait: cfg.RecognizeWait, Log: slog.Default()})
}
