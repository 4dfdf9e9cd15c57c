package main

import (
	"log/slog"
	"path/filepath"

	"github.com/collectorstash/csm/market"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer/scanphoto"
)

// marketDeps assembles the marketplace service for `csm serve`: the
// Postgres store, listing_new events through db.Events (set by
// realtimeDeps), listing images encoded to WebP and saved under
// <data>/static/listing_images, renewal links signed with the session
// secret. Notify stays nil until the notification feed is wired.
func marketDeps(cfg *config, db *postgres.DB, secret []byte) *market.Service {
	return market.New(market.Config{
		Store:     db.Market(),
		Events:    db.Events,
		Images:    scanphoto.Encoder{},
		Files:     market.DirFiles{Root: filepath.Join(cfg.DataDir, "static")},
		Secret:    secret,
		PublicURL: cfg.PublicURL,
		Log:       slog.Default(),
	})
}
