package postgres_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

func newUser(t *testing.T, f fixture, name string) catalog.User {
	t.Helper()
	u, err := f.db.CreateUser(f.ctx, catalog.NewUser{Username: name, Email: name + "@example.com", PasswordHash: "$argon2id$x",
		CreatedAt: today})
	require.NoError(t, err)
	return u
}

func TestUsers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	u := newUser(t, f, "demo-1")
	require.Equal(t, catalog.TierFree, u.Tier)
	require.Equal(t, today, u.CreatedAt)

	_, err := f.db.CreateUser(f.ctx, catalog.NewUser{Username: "demo-1", Email: "x@example.com", PasswordHash: "h", CreatedAt: today})
	require.Equal(t, catalog.ECONFLICT, catalog.ErrorCode(err))
	require.Equal(t, "username already taken", catalog.ErrorMessage(err))
	_, err = f.db.CreateUser(f.ctx, catalog.NewUser{Username: "demo-2", Email: "demo-1@example.com", PasswordHash: "h", CreatedAt: today})
	require.Equal(t, "email already registered", catalog.ErrorMessage(err))

	for _, login := range []string{"demo-1", "DEMO-1", "demo-1@example.com", "Demo-1@EXAMPLE.com"} {
		got, err := f.db.UserByLogin(f.ctx, login)
		require.NoError(t, err, login)
		require.Equal(t, u.ID, got.ID)
	}
	_, err = f.db.UserByLogin(f.ctx, "nobody")
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))

	name, cc := "Demo", "NL"
	got, err := f.db.UpdateProfile(f.ctx, u.ID, catalog.Profile{DisplayName: &name, Country: &cc})
	require.NoError(t, err)
	require.Equal(t, "Demo", *got.DisplayName)
	empty := ""
	got, err = f.db.UpdateProfile(f.ctx, u.ID, catalog.Profile{Country: &empty})
	require.NoError(t, err)
	require.Nil(t, got.Country)
	require.Equal(t, "Demo", *got.DisplayName)

	got, err = f.db.SetTier(f.ctx, "DEMO-1", catalog.TierShopPro)
	require.NoError(t, err)
	require.Equal(t, catalog.TierShopPro, got.Tier)
	_, err = f.db.SetTier(f.ctx, "nobody", catalog.TierPro)
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
	// a legacy tier name in the row resolves
	_, err = f.db.Pool.Exec(f.ctx, `UPDATE users SET tier = 'business' WHERE id = $1`, u.ID)
	require.NoError(t, err)
	got, err = f.db.User(f.ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.TierShopBasic, got.Tier)
	got, err = f.db.SetAdmin(f.ctx, "demo-1", true)
	require.NoError(t, err)
	require.True(t, got.IsAdmin)
}

func TestSessions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	u := newUser(t, f, "sessions")
	a, b := []byte("session-a-hash-32-bytes-long...."), []byte("session-b-hash-32-bytes-long....")
	for _, h := range [][]byte{a, b} {
		require.NoError(t, f.db.CreateSession(f.ctx, catalog.Session{IDHash: h, UserID: u.ID, CreatedAt: today, ExpiresAt: today.Add(catalog.SessionTTL)}))
	}
	got, err := f.db.SessionUser(f.ctx, a, today)
	require.NoError(t, err)
	require.Equal(t, u.ID, got.ID)
	_, err = f.db.SessionUser(f.ctx, a, today.Add(catalog.SessionTTL))
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err), "expired")

	require.NoError(t, f.db.DeleteSession(f.ctx, a))
	_, err = f.db.SessionUser(f.ctx, a, today)
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
	_, err = f.db.SessionUser(f.ctx, b, today)
	require.NoError(t, err)

	require.NoError(t, f.db.SetPassword(f.ctx, u.ID, "$argon2id$new"))
	_, err = f.db.SessionUser(f.ctx, b, today)
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err), "a new password ends every session")
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(f.db.SetPassword(f.ctx, 99999, "x")))
}

func TestDeletionAndPurge(t *testing.T) {
	t.Parallel()
	f := setup(t)
	u := newUser(t, f, "leaving")
	stay := newUser(t, f, "staying")
	at := today.Add(catalog.DeletionGrace)
	got, err := f.db.ScheduleDeletion(f.ctx, u.ID, &at)
	require.NoError(t, err)
	require.Equal(t, at, got.DeleteAfter.UTC())
	require.False(t, got.Deleted(today))
	require.True(t, got.Deleted(at))

	require.NoError(t, f.db.CreateSession(f.ctx, catalog.Session{IDHash: []byte("x"), UserID: stay.ID, CreatedAt: today, ExpiresAt: today.Add(time.Hour)}))
	n, err := f.db.PurgeDeleted(f.ctx, at.Add(-time.Second))
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = f.db.PurgeDeleted(f.ctx, at)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	_, err = f.db.User(f.ctx, u.ID)
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
	_, err = f.db.SessionUser(f.ctx, []byte("x"), today)
	require.Error(t, err, "expired sessions are purged too")

	got, err = f.db.ScheduleDeletion(f.ctx, stay.ID, nil)
	require.NoError(t, err)
	require.Nil(t, got.DeleteAfter)
}

func TestKeysStore(t *testing.T) {
	t.Parallel()
	f := setup(t)
	u := newUser(t, f, "keys")
	pro := catalog.TierPro
	exp := today.Add(time.Hour)
	k, err := f.db.CreateKey(f.ctx, catalog.NewKey{UserID: u.ID, Name: "a", Prefix: "csm_aaaaaaaa", Hash: []byte("hash-a"), Tier: &pro,
		CreatedAt: today, ExpiresAt: &exp}, 2, today)
	require.NoError(t, err)
	require.Equal(t, catalog.TierPro, *k.Tier)
	require.True(t, k.IsActive)

	got, owner, err := f.db.KeyByHash(f.ctx, []byte("hash-a"))
	require.NoError(t, err)
	require.Equal(t, k.ID, got.ID)
	require.Equal(t, "keys", owner.Username)
	_, _, err = f.db.KeyByHash(f.ctx, []byte("nope"))
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))

	// the limit counts active, unexpired keys
	_, err = f.db.CreateKey(f.ctx, catalog.NewKey{UserID: u.ID, Name: "b", Prefix: "p", Hash: []byte("hash-b"), CreatedAt: today}, 2, today)
	require.NoError(t, err)
	_, err = f.db.CreateKey(f.ctx, catalog.NewKey{UserID: u.ID, Name: "c", Prefix: "p", Hash: []byte("hash-c"), CreatedAt: today}, 2, today)
	require.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
	_, err = f.db.CreateKey(f.ctx, catalog.NewKey{UserID: u.ID, Name: "c", Prefix: "p", Hash: []byte("hash-c"), CreatedAt: today}, 2, exp)
	require.NoError(t, err, "key a has expired by then")

	// touch writes at most once a minute
	require.NoError(t, f.db.TouchKey(f.ctx, k.ID, today))
	require.NoError(t, f.db.TouchKey(f.ctx, k.ID, today.Add(30*time.Second)))
	got, err = f.db.Key(f.ctx, k.ID)
	require.NoError(t, err)
	require.Equal(t, today, *got.LastUsedAt)
	require.NoError(t, f.db.TouchKey(f.ctx, k.ID, today.Add(61*time.Second)))
	got, _ = f.db.Key(f.ctx, k.ID)
	require.Equal(t, today.Add(61*time.Second), *got.LastUsedAt)

	got, err = f.db.RenameKey(f.ctx, k.ID, "renamed")
	require.NoError(t, err)
	require.Equal(t, "renamed", got.Name)
	got, err = f.db.RevokeKey(f.ctx, k.ID, today)
	require.NoError(t, err)
	require.False(t, got.IsActive)
	got, err = f.db.RevokeKey(f.ctx, k.ID, today.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, today, *got.RevokedAt, "the first revocation time stays")
	keys, err := f.db.Keys(f.ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, keys, 3)
	require.Equal(t, "c", keys[0].Name)
	_, err = f.db.RenameKey(f.ctx, 99999, "x")
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err))
}

// TestKeyLimitUnderConcurrency: parallel creations cannot pass the limit.
func TestKeyLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := setup(t)
	u := newUser(t, f, "racer")
	var ok atomic.Int64
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			_, err := f.db.CreateKey(f.ctx, catalog.NewKey{UserID: u.ID, Name: "k", Prefix: "p", Hash: []byte{byte(i)}, CreatedAt: today}, 3, today)
			if err == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 3, ok.Load())
}
