package keycache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/keycache"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
)

type fixture struct {
	db     *postgres.DB
	rdb    *redis.Client
	prefix string
}

func setup(t *testing.T) *fixture {
	t.Helper()
	db, _ := pgtest.New(t)
	addr := os.Getenv("CSM_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:56379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = rdb.Close() })
	require.NoError(t, rdb.Ping(t.Context()).Err(), "redis must be running (make services)")
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &fixture{db: db, rdb: rdb, prefix: "test:" + hex.EncodeToString(b) + ":"}
}

// cache is one "process": its own cache on the shared database and Redis,
// live (subscribed) before it is returned.
func (f *fixture) cache(t *testing.T) *keycache.Cache {
	t.Helper()
	c := keycache.New(f.db, f.db, f.rdb, keycache.Options{Prefix: f.prefix, TTL: time.Minute,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(func() { _ = c.Close() })
	require.Eventually(t, c.Live, 5*time.Second, 5*time.Millisecond, "the invalidation channel is subscribed")
	return c
}

func (f *fixture) key(t *testing.T, name string) (catalog.User, catalog.APIKey, []byte) {
	t.Helper()
	ctx := t.Context()
	u, err := f.db.CreateUser(ctx, catalog.NewUser{Username: name, Email: name + "@example.com", PasswordHash: "x",
		Tier: catalog.TierPro, CreatedAt: time.Now()})
	require.NoError(t, err)
	raw := catalog.GenerateKey()
	k, err := f.db.CreateKey(ctx, catalog.NewKey{UserID: u.ID, Name: "k", Prefix: catalog.KeyPrefix(raw),
		Hash: catalog.HashKey(raw), CreatedAt: time.Now()}, 10, time.Now())
	require.NoError(t, err)
	return u, k, catalog.HashKey(raw)
}

// TestRevokeReachesOtherProcess: both caches hold the key; a revoke, a
// tier change and an account deletion made through one are seen by the
// other at once (it reads the store again), and lookups are otherwise
// served from memory.
func TestRevokeReachesOtherProcess(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	a, b := f.cache(t), f.cache(t)
	u, k, hash := f.key(t, "alice")
	_, k2, hash2 := f.key(t, "bob")

	for _, c := range []*keycache.Cache{a, b, a, b} {
		got, gu, err := c.KeyByHash(ctx, hash)
		require.NoError(t, err)
		require.Equal(t, k.ID, got.ID)
		require.Equal(t, u.ID, gu.ID)
		_, _, err = c.KeyByHash(ctx, hash2)
		require.NoError(t, err)
	}
	hits, misses := b.Stats()
	require.EqualValues(t, 2, hits)
	require.EqualValues(t, 2, misses)

	// a write behind the caches' back is not seen (that is the cache)…
	_, err := f.db.Pool.Exec(ctx, `UPDATE api_keys SET name = 'sneaky' WHERE id = $1`, k.ID)
	require.NoError(t, err)
	got, _, err := b.KeyByHash(ctx, hash)
	require.NoError(t, err)
	require.Equal(t, "k", got.Name)

	// …a revoke through a is, by b, as soon as the message arrives
	_, err = a.RevokeKey(ctx, k.ID, time.Now())
	require.NoError(t, err)
	start := time.Now()
	require.Eventually(t, func() bool {
		got, _, err := b.KeyByHash(ctx, hash)
		return err == nil && !got.IsActive
	}, 2*time.Second, time.Millisecond)
	t.Logf("revoke seen by the other cache after %s", time.Since(start))
	// bob's key stayed cached
	_, misses0 := b.Stats()
	_, _, err = b.KeyByHash(ctx, hash2)
	require.NoError(t, err)
	_, misses1 := b.Stats()
	require.Equal(t, misses0, misses1)

	// a tier change drops every key of the account
	_, err = a.SetTier(ctx, "bob", catalog.TierFree)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, gu, err := b.KeyByHash(ctx, hash2)
		return err == nil && gu.Tier == catalog.TierFree
	}, 2*time.Second, time.Millisecond)

	// deletion: scheduled, then purged
	at := time.Now().Add(-time.Second)
	_, err = b.ScheduleDeletion(ctx, k2.UserID, &at)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, gu, err := a.KeyByHash(ctx, hash2)
		return err == nil && gu.Deleted(time.Now())
	}, 2*time.Second, time.Millisecond)
	n, err := b.PurgeDeleted(ctx, time.Now())
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	require.Eventually(t, func() bool { // the purge went through b: a hears of it
		_, _, err := a.KeyByHash(ctx, hash2)
		return catalog.ErrorCode(err) == catalog.ENOTFOUND
	}, 2*time.Second, time.Millisecond)
}

// TestTouchAndBypass: a touch is kept in the cached entry; a closed cache
// (not subscribed) reads the store every time and keeps nothing.
func TestTouchAndBypass(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c := f.cache(t)
	_, k, hash := f.key(t, "carol")
	_, _, err := c.KeyByHash(ctx, hash)
	require.NoError(t, err)
	now := time.Now().Truncate(time.Second)
	require.NoError(t, c.TouchKey(ctx, k.ID, now))
	got, _, err := c.KeyByHash(ctx, hash)
	require.NoError(t, err)
	require.NotNil(t, got.LastUsedAt)
	require.True(t, got.LastUsedAt.Equal(now))

	off := keycache.New(f.db, f.db, f.rdb, keycache.Options{Prefix: f.prefix, PublishOnly: true})
	for range 3 {
		_, _, err := off.KeyByHash(ctx, hash)
		require.NoError(t, err)
	}
	hits, misses := off.Stats()
	require.Zero(t, hits)
	require.EqualValues(t, 3, misses)
	// its writes still reach the live cache
	_, err = off.RenameKey(ctx, k.ID, "renamed")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		got, _, err := c.KeyByHash(ctx, hash)
		return err == nil && got.Name == "renamed"
	}, 2*time.Second, time.Millisecond)
	require.NoError(t, off.Close())
}

// TestOnDropHearsOtherProcess: a revoke and a tier change made through one
// cache name the keys concerned to the other's OnDrop function (the rate
// limiter gives their leases back with it).
func TestOnDropHearsOtherProcess(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	a, b := f.cache(t), f.cache(t)
	dropped := make(chan int64, 8)
	b.OnDrop(func(id int64) { dropped <- id })
	_, k, hash := f.key(t, "carol")
	_, _, err := b.KeyByHash(ctx, hash)
	require.NoError(t, err)

	_, err = a.RevokeKey(ctx, k.ID, time.Now())
	require.NoError(t, err)
	heard(t, dropped, k.ID, "the revoke")

	_, k2, hash2 := f.key(t, "dave")
	_, _, err = b.KeyByHash(ctx, hash2) // cached: the user's keys are known
	require.NoError(t, err)
	_, err = a.SetTier(ctx, "dave", catalog.TierPro)
	require.NoError(t, err)
	heard(t, dropped, k2.ID, "the tier change")
}

// heard waits for id on dropped (what names the change in a failure).
func heard(t *testing.T, dropped <-chan int64, id int64, what string) {
	t.Helper()
	select {
	case got := <-dropped:
		require.Equal(t, id, got, what)
	case <-time.After(5 * time.Second):
		t.Fatalf("%s was not heard", what)
	}
}
