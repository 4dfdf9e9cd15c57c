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
}

func setupCommunity(t *testing.T) *communityFixture {
	t.Helper()
	feed := &feedRecorder{}
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr()})
	t.Cleanup(func() { _ = rdb.Close() })
	var pub *realtime.Publisher
	f := setupAccounts(t, acctOptions{configure: func(f *acct, cfg *api.Config) {
		prefix := f.prefix + "rt:"
		hub := realtime.NewHub(rdb, realtime.HubOptions{Prefix: prefix, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		t.Cleanup(func() { _ = hub.Close() })
		pub = realtime.NewPublisher(rdb, prefix)
		cfg.Stream, cfg.StreamConns, cfg.StreamHeartbeat = hub, realtime.NewConns(rdb, prefix, 3*streamHeartbeat), streamHeartbeat
		cfg.Community = community.New(community.Config{Store: f.db.Community(), Listings: f.db.Community(),
			Notifier: feed, Events: pub, Now: f.clock.Now, Log: cfg.Log})
	}})
	return &communityFixture{streamFixture: &streamFixture{acct: f, second: f.url, pub: pub}, feed: feed}
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
