package meta_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/meta"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
)

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
	ctx   context.Context
	db    *postgres.DB
	svc   *meta.Service
	clock *clock
	push  *meta.RecordingSender
}

func setup(t *testing.T, probes ...meta.Probe) *fixture {
	t.Helper()
	db, _ := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	f := &fixture{ctx: ctx, db: db, clock: &clock{t: time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)}, push: &meta.RecordingSender{}}
	f.svc = meta.New(meta.Config{Store: db.Meta(), Catalog: db, Probes: probes, Push: f.push, Now: f.clock.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return f
}

func (f *fixture) user(t *testing.T, name string) int64 {
	u, err := f.db.CreateUser(f.ctx, catalog.NewUser{Username: name, Email: name + "@example.com", PasswordHash: "x", CreatedAt: f.clock.Now()})
	require.NoError(t, err)
	return u.ID
}

func TestHealthCounts(t *testing.T) {
	t.Parallel()
	f := setup(t)
	require.True(t, f.svc.Ready(f.ctx))
	f.user(t, "alice")
	bob := f.user(t, "bob")

	h, err := f.svc.Health(f.ctx)
	require.NoError(t, err)
	require.Equal(t, meta.StatusOK, h.Status)
	require.Equal(t, int64(2), h.Users)
	require.Equal(t, int64(0), h.Sellers)
	require.Equal(t, int64(0), h.ActiveAlerts)
	require.Positive(t, h.DBSizeMB)
	require.Equal(t, meta.Version, h.Version)

	// bob opens a seller account and sets four alerts on a card: two are
	// armed, one has fired, one is switched off
	_, err = demo.Load(f.ctx, f.db, f.db, demo.Options{Today: f.clock.Now(), Days: 1})
	require.NoError(t, err)
	_, err = f.db.Pool.Exec(f.ctx, `INSERT INTO sellers (user_id, display_name, country, created_at, updated_at) VALUES ($1, 'Bob', 'NL', now(), now())`, bob)
	require.NoError(t, err)
	_, err = f.db.Pool.Exec(f.ctx, `
		INSERT INTO price_alerts (user_id, card_id, target_minor, condition, is_active, triggered_at)
		SELECT $1, (SELECT min(id) FROM cards), t, 'below', a, tr
		FROM (VALUES (100, true, NULL::timestamptz), (200, true, now()), (300, false, NULL), (400, true, NULL)) v(t, a, tr)`, bob)
	require.NoError(t, err)
	h, err = f.svc.Health(f.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), h.Sellers)
	require.Equal(t, int64(2), h.ActiveAlerts)
}

func TestHealthDegradedWhenTheDatabaseIsDown(t *testing.T) {
	t.Parallel()
	db, err := postgres.Open(context.Background(), "postgres://csm:csm@127.0.0.1:1/csm?sslmode=disable&connect_timeout=2")
	require.NoError(t, err)
	t.Cleanup(db.Close)
	svc := meta.New(meta.Config{Store: db.Meta(), Catalog: db})
	require.False(t, svc.Ready(context.Background()))
	h, err := svc.Health(context.Background())
	require.Error(t, err)
	require.Equal(t, meta.StatusDegraded, h.Status)
}

// probe is a scripted status probe.
type probe struct {
	name string
	err  error
	wait time.Duration
}

func (p probe) Target() string { return p.name }
func (p probe) Check(ctx context.Context) error {
	select {
	case <-time.After(p.wait):
	case <-ctx.Done():
		return ctx.Err()
	}
	return p.err
}

func TestStatusChecks(t *testing.T) {
	t.Parallel()
	f := setup(t,
		probe{name: meta.TargetAPI},
		probe{name: meta.TargetRedis, err: meta.Degradedf("slow replica")},
		probe{name: meta.TargetPostgres, wait: meta.SlowCheck + 100*time.Millisecond},
		probe{name: meta.TargetQueue, err: errors.New("connection refused")},
	)
	st, err := f.svc.Status(f.ctx)
	require.NoError(t, err)
	require.Len(t, st, 5)
	for _, c := range st {
		require.Equal(t, meta.Unknown, c.Status, "never checked")
		require.Nil(t, c.LastCheck)
	}

	_, err = f.svc.RunChecks(f.ctx)
	require.NoError(t, err)
	st, err = f.svc.Status(f.ctx)
	require.NoError(t, err)
	got := map[string]meta.Check{}
	var order []string
	for _, c := range st {
		got[c.Target] = c
		order = append(order, c.Target)
	}
	require.Equal(t, meta.Targets, order)
	require.Equal(t, meta.Operational, got["api"].Status)
	require.NotNil(t, got["api"].LatencyMS)
	require.Equal(t, f.clock.Now(), *got["api"].LastCheck)
	require.Equal(t, meta.Degraded, got["redis"].Status)
	require.Equal(t, meta.Degraded, got["postgres"].Status, "slower than SlowCheck")
	require.GreaterOrEqual(t, *got["postgres"].LatencyMS, int(meta.SlowCheck.Milliseconds()))
	require.Equal(t, meta.Down, got["queue"].Status)
	require.Nil(t, got["queue"].LatencyMS)
	require.Equal(t, meta.Unknown, got["workers"].Status, "no probe")

	// results older than StaleAfter are unknown
	f.clock.Add(6 * time.Minute)
	st, err = f.svc.Status(f.ctx)
	require.NoError(t, err)
	require.Equal(t, meta.Unknown, st[0].Status)
	require.NotNil(t, st[0].LastCheck)
}

func TestAppManifest(t *testing.T) {
	t.Parallel()
	f := setup(t)
	m, err := f.svc.Manifest(f.ctx, "")
	require.NoError(t, err)
	require.Len(t, m, 2)
	v, err := f.svc.SetAppVersion(f.ctx, true, meta.AppVersion{Platform: meta.Android, VersionName: "1.10.0", VersionCode: 21,
		MinSupported: "1.8.0", ReleaseNotes: "Faster scans"})
	require.NoError(t, err)
	require.Equal(t, 21, v.VersionCode)
	m, err = f.svc.Manifest(f.ctx, "android")
	require.NoError(t, err)
	require.Len(t, m, 1)
	require.Equal(t, "1.10.0", m[meta.Android].VersionName)
	require.Equal(t, "Faster scans", m[meta.Android].ReleaseNotes)

	_, err = f.svc.SetAppVersion(f.ctx, false, meta.AppVersion{Platform: meta.IOS, VersionName: "1.0.1", MinSupported: "1.0.0"})
	require.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
	var ae *catalog.Error
	_, err = f.svc.SetAppVersion(f.ctx, true, meta.AppVersion{Platform: "web", VersionName: "one", VersionCode: -1, MinSupported: ""})
	require.ErrorAs(t, err, &ae)
	require.Len(t, ae.Fields, 4)
}

func TestDevicesAndPush(t *testing.T) {
	t.Parallel()
	f := setup(t)
	alice, bob := f.user(t, "alice"), f.user(t, "bob")

	d, created, err := f.svc.RegisterDevice(f.ctx, alice, meta.DeviceRegistration{Platform: "android", Token: " fcm-token-1 ", AppVersion: "1.10.0"})
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, "fcm-token-1", d.Token)
	_, created, err = f.svc.RegisterDevice(f.ctx, alice, meta.DeviceRegistration{Platform: "android", Token: "fcm-token-1", AppVersion: ""})
	require.NoError(t, err)
	require.False(t, created, "registering again refreshes")
	_, _, err = f.svc.RegisterDevice(f.ctx, alice, meta.DeviceRegistration{Platform: "ios", Token: "apns-token-2", AppVersion: ""})
	require.NoError(t, err)
	ds, err := f.svc.Devices(f.ctx, alice)
	require.NoError(t, err)
	require.Len(t, ds, 2)
	require.Equal(t, "1.10.0", *ds[1].AppVersion, "an empty app_version keeps the known one")

	n, err := f.svc.PushToUser(f.ctx, alice, meta.Push{Title: "New message", Body: "hi"})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Len(t, f.push.Sent(), 2)

	// a token moves to the account that registers it last
	_, _, err = f.svc.RegisterDevice(f.ctx, bob, meta.DeviceRegistration{Platform: "ios", Token: "apns-token-2", AppVersion: ""})
	require.NoError(t, err)
	ds, err = f.svc.Devices(f.ctx, alice)
	require.NoError(t, err)
	require.Len(t, ds, 1)

	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(f.svc.RemoveDevice(f.ctx, alice, "apns-token-2")), "bob's now")
	require.NoError(t, f.svc.RemoveDevice(f.ctx, alice, "fcm-token-1"))
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(f.svc.RemoveDevice(f.ctx, alice, "fcm-token-1")))
	require.Equal(t, catalog.EVALIDATION, catalog.ErrorCode(f.svc.RemoveDevice(f.ctx, alice, " ")))

	var ae *catalog.Error
	_, _, err = f.svc.RegisterDevice(f.ctx, alice, meta.DeviceRegistration{Platform: "windows", Token: "", AppVersion: string(make([]byte, 51))})
	require.ErrorAs(t, err, &ae)
	require.Len(t, ae.Fields, 3)
}
