// Package keycache keeps API key lookups in process memory, so a request
// made with a key does not read Postgres: a key's row and its account are
// kept for a short TTL, and dropped in every API process at once when the
// key or its account changes (revoke, rename, tier, admin flag, profile,
// deletion), through a Redis pub/sub channel. While that channel is not
// subscribed (start-up, Redis down, reconnecting) the cache is bypassed:
// lookups go to the store and nothing is kept, so a missed invalidation can
// never leave a revoked key working.
package keycache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"github.com/collectorstash/csm/catalog"
)

// DefaultTTL is how long a lookup is kept without a change.
const DefaultTTL = 30 * time.Second

// DefaultMaxEntries bounds the cache; when full it starts over.
const DefaultMaxEntries = 100_000

// Channel is the invalidation channel's name after the prefix.
const Channel = "keys:invalidate"

// Messages on the channel: "key:<id>", "user:<id>" or "all".
const (
	msgKey  = "key:"
	msgUser = "user:"
	msgAll  = "all"
)

// Options configure a Cache.
type Options struct {
	// Prefix starts the channel's name (the deployment's Redis prefix).
	Prefix string
	// TTL of an entry (DefaultTTL when 0).
	TTL time.Duration
	// MaxEntries bounds the cache (DefaultMaxEntries when 0).
	MaxEntries int
	// PublishOnly keeps nothing (every lookup reads the store) and does not
	// listen, but still publishes the invalidations of the writes made
	// through it: for command-line tools, and to turn the cache off.
	PublishOnly bool
	Log         *slog.Logger
	// Now is the clock of the TTL (time.Now when nil).
	Now func() time.Time
}

// Cache wraps the key and account stores: KeyByHash is served from memory,
// and every write that changes what a key lookup returns drops the entries
// concerned here and, through Redis, in every other process. Other methods
// go straight to the stores.
type Cache struct {
	catalog.KeyStore
	catalog.AccountStore

	rdb     redis.UniversalClient
	channel string
	ttl     time.Duration
	max     int
	log     *slog.Logger
	now     func() time.Time

	mu      sync.Mutex
	entries map[string]entry          // by key hash
	byKey   map[int64]string          // key id → hash
	byUser  map[int64]map[string]bool // user id → hashes
	gen     uint64                    // bumped by every invalidation
	live    atomic.Bool               // the channel is subscribed
	hits    atomic.Int64
	misses  atomic.Int64
	reads   singleflight.Group // misses being read, by generation and hash
	onDrop  atomic.Pointer[func(keyID int64)]

	cancel context.CancelFunc
	done   chan struct{}
}

type entry struct {
	key   catalog.APIKey
	user  catalog.User
	until time.Time
}

var (
	_ catalog.KeyStore     = (*Cache)(nil)
	_ catalog.AccountStore = (*Cache)(nil)
)

// New wraps keys and accounts and subscribes to the invalidation channel
// on rdb; Close stops it. rdb nil makes a cache that never keeps anything
// (every lookup reads the store) and publishes nothing.
func New(keys catalog.KeyStore, accounts catalog.AccountStore, rdb redis.UniversalClient, o Options) *Cache {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Cache{
		KeyStore: keys, AccountStore: accounts,
		rdb: rdb, channel: o.Prefix + Channel, ttl: o.TTL, max: o.MaxEntries, log: o.Log, now: o.Now,
		entries: map[string]entry{}, byKey: map[int64]string{}, byUser: map[int64]map[string]bool{},
		done: make(chan struct{}),
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	if rdb == nil || o.PublishOnly {
		close(c.done)
		return c
	}
	go c.listen(ctx)
	return c
}

// Close stops listening; lookups then go to the store.
func (c *Cache) Close() error {
	c.cancel()
	<-c.done
	c.live.Store(false)
	c.flush()
	return nil
}

// Live reports whether the invalidation channel is subscribed (the cache
// is in use).
func (c *Cache) Live() bool { return c.live.Load() }

// Stats returns the lookups served from memory and from the store.
func (c *Cache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

// KeyByHash returns the key and its account from memory when a fresh entry
// is there, else from the store (and keeps it, unless an invalidation came
// meanwhile or the channel is down). Concurrent misses of one key share one
// store read, but only among callers that arrived under the same
// invalidation generation: a lookup that starts after a revoke never takes
// the result of a read that started before it.
func (c *Cache) KeyByHash(ctx context.Context, hash []byte) (catalog.APIKey, catalog.User, error) {
	h := string(hash)
	now := c.now()
	live := c.live.Load()
	c.mu.Lock()
	e, ok := c.entries[h]
	gen := c.gen
	c.mu.Unlock()
	if live && ok && now.Before(e.until) {
		c.hits.Add(1)
		return e.key, e.user, nil
	}
	c.misses.Add(1)
	if !live {
		return c.KeyStore.KeyByHash(ctx, hash)
	}
	v, err, _ := c.reads.Do(strconv.FormatUint(gen, 36)+":"+h, func() (any, error) {
		// shared by the callers that joined: one caller's cancellation
		// must not fail the others
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
		defer cancel()
		k, u, err := c.KeyStore.KeyByHash(rctx, hash)
		if err != nil {
			return nil, err
		}
		c.keep(h, gen, k, u, now)
		return entry{key: k, user: u}, nil
	})
	if err != nil {
		return catalog.APIKey{}, catalog.User{}, err
	}
	got := v.(entry)
	return got.key, got.user, nil
}

// readTimeout bounds a shared store read of a missed key.
const readTimeout = 5 * time.Second

// keep stores a lookup read under generation gen, unless an invalidation
// came meanwhile or the channel went down.
func (c *Cache) keep(h string, gen uint64, k catalog.APIKey, u catalog.User, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || !c.live.Load() {
		return // something changed while we read: do not keep it
	}
	if len(c.entries) >= c.max {
		c.reset()
	}
	c.drop(h)
	c.entries[h] = entry{key: k, user: u, until: now.Add(c.ttl)}
	c.byKey[k.ID] = h
	if c.byUser[u.ID] == nil {
		c.byUser[u.ID] = map[string]bool{}
	}
	c.byUser[u.ID][h] = true
}

// TouchKey records the use in the store and in the cached entry, so the
// once-a-minute write is not repeated on every cached request.
func (c *Cache) TouchKey(ctx context.Context, id int64, now time.Time) error {
	if err := c.KeyStore.TouchKey(ctx, id, now); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.byKey[id]; ok {
		e := c.entries[h]
		t := now
		e.key.LastUsedAt = &t
		c.entries[h] = e
	}
	return nil
}

// RevokeKey revokes in the store, then drops the key everywhere.
func (c *Cache) RevokeKey(ctx context.Context, id int64, now time.Time) (catalog.APIKey, error) {
	k, err := c.KeyStore.RevokeKey(ctx, id, now)
	if err == nil {
		c.InvalidateKey(ctx, id)
	}
	return k, err
}

// RenameKey renames in the store, then drops the key everywhere.
func (c *Cache) RenameKey(ctx context.Context, id int64, name string) (catalog.APIKey, error) {
	k, err := c.KeyStore.RenameKey(ctx, id, name)
	if err == nil {
		c.InvalidateKey(ctx, id)
	}
	return k, err
}

// SetTier changes the account's tier, then drops its keys everywhere.
func (c *Cache) SetTier(ctx context.Context, username string, t catalog.Tier) (catalog.User, error) {
	u, err := c.AccountStore.SetTier(ctx, username, t)
	if err == nil {
		c.InvalidateUser(ctx, u.ID)
	}
	return u, err
}

// SetAdmin changes the admin flag, then drops the account's keys everywhere.
func (c *Cache) SetAdmin(ctx context.Context, username string, admin bool) (catalog.User, error) {
	u, err := c.AccountStore.SetAdmin(ctx, username, admin)
	if err == nil {
		c.InvalidateUser(ctx, u.ID)
	}
	return u, err
}

// UpdateProfile updates the account, then drops its keys everywhere.
func (c *Cache) UpdateProfile(ctx context.Context, id int64, p catalog.Profile) (catalog.User, error) {
	u, err := c.AccountStore.UpdateProfile(ctx, id, p)
	if err == nil {
		c.InvalidateUser(ctx, id)
	}
	return u, err
}

// ScheduleDeletion flags (or unflags) the account, then drops its keys
// everywhere.
func (c *Cache) ScheduleDeletion(ctx context.Context, id int64, at *time.Time) (catalog.User, error) {
	u, err := c.AccountStore.ScheduleDeletion(ctx, id, at)
	if err == nil {
		c.InvalidateUser(ctx, id)
	}
	return u, err
}

// PurgeDeleted removes accounts past their deletion time; when any went,
// every cache starts over.
func (c *Cache) PurgeDeleted(ctx context.Context, now time.Time) (int64, error) {
	n, err := c.AccountStore.PurgeDeleted(ctx, now)
	if err == nil && n > 0 {
		c.InvalidateAll(ctx)
	}
	return n, err
}

// InvalidateKey drops key id here and in every process.
func (c *Cache) InvalidateKey(ctx context.Context, id int64) {
	c.invalidate(ctx, msgKey+strconv.FormatInt(id, 10))
}

// InvalidateUser drops every key of user id here and in every process.
func (c *Cache) InvalidateUser(ctx context.Context, id int64) {
	c.invalidate(ctx, msgUser+strconv.FormatInt(id, 10))
}

// InvalidateAll empties the cache here and in every process.
func (c *Cache) InvalidateAll(ctx context.Context) { c.invalidate(ctx, msgAll) }

// invalidate applies msg locally, then publishes it. A failed publish is
// logged: the other processes keep the entry until its TTL at most (and
// a Redis that cannot take a PUBLISH has usually dropped their
// subscriptions too, which bypasses their caches).
func (c *Cache) invalidate(ctx context.Context, msg string) {
	c.apply(msg)
	if c.rdb == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := c.rdb.Publish(ctx, c.channel, msg).Err(); err != nil {
		c.log.WarnContext(ctx, "api key cache: invalidation not published; other processes keep the entry until its TTL",
			"msg", msg, "ttl", c.ttl, "err", err)
	}
}

// OnDrop makes the cache call fn with the id of every key an invalidation
// names (a key, the cached keys of a user, or every cached key), here or
// from another process, once its entry is dropped: the rate limiter gives
// the key's lease back with it.
func (c *Cache) OnDrop(fn func(keyID int64)) { c.onDrop.Store(&fn) }

// apply drops what msg names, then tells OnDrop's function.
func (c *Cache) apply(msg string) {
	ids := c.applyLocked(msg)
	if fn := c.onDrop.Load(); fn != nil {
		for _, id := range ids {
			(*fn)(id)
		}
	}
}

// applyLocked drops what msg names and returns the key ids concerned.
func (c *Cache) applyLocked(msg string) []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	switch {
	case msg == msgAll:
		return c.resetIDs()
	case strings.HasPrefix(msg, msgKey):
		id, err := strconv.ParseInt(msg[len(msgKey):], 10, 64)
		if err != nil {
			return c.resetIDs()
		}
		if h, ok := c.byKey[id]; ok {
			c.drop(h)
		}
		return []int64{id}
	case strings.HasPrefix(msg, msgUser):
		id, err := strconv.ParseInt(msg[len(msgUser):], 10, 64)
		if err != nil {
			return c.resetIDs()
		}
		var ids []int64
		for h := range c.byUser[id] {
			ids = append(ids, c.entries[h].key.ID)
			c.drop(h)
		}
		return ids
	default:
		return c.resetIDs() // unknown: safest to start over
	}
}

// resetIDs empties the cache and returns the ids of the keys it held (mu
// held).
func (c *Cache) resetIDs() []int64 {
	ids := make([]int64, 0, len(c.byKey))
	for id := range c.byKey {
		ids = append(ids, id)
	}
	c.reset()
	return ids
}

// drop removes the entry of hash h and its index lines (mu held).
func (c *Cache) drop(h string) {
	e, ok := c.entries[h]
	if !ok {
		return
	}
	delete(c.entries, h)
	if c.byKey[e.key.ID] == h {
		delete(c.byKey, e.key.ID)
	}
	if hs := c.byUser[e.user.ID]; hs != nil {
		delete(hs, h)
		if len(hs) == 0 {
			delete(c.byUser, e.user.ID)
		}
	}
}

// reset empties the cache (mu held).
func (c *Cache) reset() {
	c.entries = map[string]entry{}
	c.byKey = map[int64]string{}
	c.byUser = map[int64]map[string]bool{}
}

func (c *Cache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.reset()
}

// listen keeps the subscription: the cache is live from each subscribe
// confirmation (a reconnect included, after which it starts empty) until
// the next error. A quiet connection is pinged every few seconds, so a dead
// one is noticed.
func (c *Cache) listen(ctx context.Context) {
	defer close(c.done)
	ps := c.rdb.Subscribe(ctx, c.channel)
	defer ps.Close()
	down := func(err error) {
		if c.live.Swap(false) {
			c.log.Warn("api key cache: invalidation channel lost; lookups read Postgres until it is back", "err", err)
		}
		c.flush()
	}
	for ctx.Err() == nil {
		m, err := ps.ReceiveTimeout(ctx, 5*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				if perr := ps.Ping(ctx); perr != nil {
					down(fmt.Errorf("ping: %w", perr))
				}
				continue
			}
			down(err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
			continue
		}
		switch m := m.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				c.flush()
				if !c.live.Swap(true) {
					c.log.Debug("api key cache: live", "channel", c.channel)
				}
			}
		case *redis.Message:
			c.apply(m.Payload)
		}
	}
}
