package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/community"
	"github.com/collectorstash/csm/meta"
	"github.com/collectorstash/csm/realtime"
)

// feedRecorder stands in for the notification feed (another capability):
// it records what the community asks to notify.
type feedRecorder struct {
	mu  sync.Mutex
	got []community.Notification
}

func (r *feedRecorder) Notify(_ context.Context, n community.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	return nil
}

func (r *feedRecorder) all() []community.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]community.Notification(nil), r.got...)
}

// communityFixture is the API with accounts, the community service and the
// real-time hub (Redis pub/sub) over real HTTP.
type communityFixture struct {
	*streamFixture
	feed *feedRecorder
	meta *meta.Service
}

func setupCommunity(t *testing.T) *communityFixture {
	t.Helper()
	feed := &feedRecorder{}
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr()})
	t.Cleanup(func() { _ = rdb.Close() })
	var pub *realtime.Publisher
	var metaSvc *meta.Service
	f := setupAccounts(t, acctOptions{configure: func(f *acct, cfg *api.Config) {
		prefix := f.prefix + "rt:"
		hub := realtime.NewHub(rdb, realtime.HubOptions{Prefix: prefix, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		t.Cleanup(func() { _ = hub.Close() })
		pub = realtime.NewPublisher(rdb, prefix)
		cfg.Stream, cfg.StreamConns, cfg.StreamHeartbeat = hub, realtime.NewConns(rdb, prefix, 3*streamHeartbeat), streamHeartbeat
		cfg.Community = community.New(community.Config{Store: f.db.Community(), Listings: f.db.Community(),
			Notifier: feed, Events: pub, Now: f.clock.Now, Log: cfg.Log})
		// the status page's probes, as the worker wires them
		probes := []meta.Probe{
			meta.ProbeFunc{Name: meta.TargetAPI, Fn: func(ctx context.Context) error {
				return meta.HTTPProbe{Name: meta.TargetAPI, URL: f.url + "/health"}.Check(ctx)
			}},
			meta.ProbeFunc{Name: meta.TargetRedis, Fn: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
			meta.ProbeFunc{Name: meta.TargetPostgres, Fn: f.db.Ping},
		}
		metaSvc = meta.New(meta.Config{Store: f.db.Meta(), Catalog: f.db, Probes: probes, Now: f.clock.Now, Log: cfg.Log})
		cfg.Meta = metaSvc
	}})
	return &communityFixture{streamFixture: &streamFixture{acct: f, second: f.url, pub: pub}, feed: feed, meta: metaSvc}
}

// member registers a user and returns its browser and id.
func (f *communityFixture) member(stem string) (*client, int64, string) {
	f.t.Helper()
	name := uniqueName(stem)
	b := f.register(name)
	var me struct {
		ID int64 `json:"id"`
	}
	r := b.do(http.MethodGet, "/auth/me", nil)
	require.Equal(f.t, http.StatusOK, r.status, "%s", r.body)
	r.json(&me)
	return b, me.ID, name
}
