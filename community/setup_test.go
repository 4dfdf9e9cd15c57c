package community_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
)

// fakeNotifier records the notifications the service asks for.
type fakeNotifier struct {
	mu  sync.Mutex
	got []community.Notification
	err error
}

func (n *fakeNotifier) Notify(_ context.Context, x community.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, x)
	return n.err
}

func (n *fakeNotifier) all() []community.Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]community.Notification(nil), n.got...)
}

// events records published events.
type events struct {
	mu  sync.Mutex
	got []catalog.Event
}

func (e *events) Publish(_ context.Context, evs ...catalog.Event) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, evs...)
	return nil
}

func (e *events) all() []catalog.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]catalog.Event(nil), e.got...)
}

// fakeListings knows the listings in ids.
type fakeListings map[int64]bool

func (l fakeListings) ListingExists(_ context.Context, id int64) (bool, error) { return l[id], nil }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	t      *testing.T
	ctx    context.Context
	db     *postgres.DB
	svc    *community.Service
	notify *fakeNotifier
	events *events
	clock  *clock
}

// setup is the service over its own schema with a fake notifier, a
// recording publisher and listing 42.
func setup(t *testing.T) *fixture {
	t.Helper()
	db, _ := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	f := &fixture{t: t, ctx: ctx, db: db, notify: &fakeNotifier{}, events: &events{},
		clock: &clock{t: time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)}}
	f.svc = community.New(community.Config{Store: db.Community(), Listings: fakeListings{42: true},
		Notifier: f.notify, Events: f.events, Now: f.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return f
}

// user creates an account and returns it as an actor.
func (f *fixture) user(name string) community.Actor {
	f.t.Helper()
	u, err := f.db.CreateUser(f.ctx, catalog.NewUser{Username: name, Email: name + "@example.com", PasswordHash: "x", CreatedAt: f.clock.Now()})
	require.NoError(f.t, err)
	return community.ActorOf(u)
}

func (f *fixture) admin(name string) community.Actor {
	a := f.user(name)
	_, err := f.db.SetAdmin(f.ctx, name, true)
	require.NoError(f.t, err)
	a.IsAdmin = true
	return a
}

// code asserts err's application error code.
func code(t *testing.T, want string, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want, catalog.ErrorCode(err), "%v", err)
}

func ptr[T any](v T) *T { return &v }
