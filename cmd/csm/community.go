package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
	"github.com/collectorstash/csm/meta"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/workers"
)

// communityService wires messages, blocks, reports and the forum. New
// messages are pushed on user:<id> (events) and to the recipient's devices
// (push); the notification feed is another capability's and joins here.
// CSM_FORUM_EDIT_WINDOW bounds forum edits (1h).
func communityService(cfg *config, db *postgres.DB, events catalog.EventPublisher, feed *notify.Service) *community.Service {
	store := db.Community()
	return community.New(community.Config{Store: store, Listings: store, Events: events, Notifier: feedNotifier{feed},
		Log: slog.Default(), EditWindow: cfg.ForumEditWindow})
}

// feedNotifier records community notifications in the notification feed,
// which delivers them (user:<id> over the WebSocket, e-mail when opted in,
// the recipient's devices).
type feedNotifier struct{ feed *notify.Service }

// Notify implements community.Notifier.
func (f feedNotifier) Notify(ctx context.Context, n community.Notification) error {
	_, err := f.feed.Notify(ctx, n.UserID, notify.Kind(n.Kind), notify.Payload{Title: n.Title, Body: n.Body, URL: n.URL, Data: n.Data})
	return err
}

// devicePush is the feed's push sender: the user's registered devices.
type devicePush struct{ meta *meta.Service }

// Push implements notify.Sender.
func (d devicePush) Push(ctx context.Context, userID int64, n notify.Notification) error {
	var data map[string]any
	_ = json.Unmarshal(n.Data, &data)
	_, err := d.meta.PushToUser(ctx, userID, meta.Push{Title: n.Title, Body: n.Body, URL: n.URL, Data: data})
	return err
}

// metaService wires health, stats, the status page, the app manifest and
// devices. probes are the status page's targets (the worker's).
func metaService(db *postgres.DB, probes []meta.Probe) *meta.Service {
	return meta.New(meta.Config{Store: db.Meta(), Catalog: db, Probes: probes, Log: slog.Default()})
}

// statusProbes are the status page's five targets as the worker sees them:
// the API's /health (CSM_STATUS_API_URL, by default this host's CSM_ADDR),
// Redis, Postgres, the asynq queues and the worker processes.
func statusProbes(cfg *config, rdb *redis.Client, db *postgres.DB) (probes []meta.Probe, stop func()) {
	insp := asynq.NewInspector(redisOpt(cfg))
	apiURL := cfg.StatusAPIURL
	if apiURL == "" {
		host := cfg.Addr
		if strings.HasPrefix(host, ":") {
			host = "127.0.0.1" + host
		}
		apiURL = "http://" + host + "/health"
	}
	probes = []meta.Probe{
		meta.HTTPProbe{Name: meta.TargetAPI, URL: apiURL, Client: &http.Client{Timeout: 5 * time.Second}},
		meta.ProbeFunc{Name: meta.TargetRedis, Fn: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
		meta.ProbeFunc{Name: meta.TargetPostgres, Fn: db.Ping},
		workers.QueueProbe{Inspector: insp},
		workers.WorkersProbe{Inspector: insp},
	}
	return probes, func() { _ = insp.Close() }
}
