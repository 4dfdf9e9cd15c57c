package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// execTimeout bounds one round trip of coalesced script calls (the callers
// that joined it wait for it whatever their own contexts say).
const execTimeout = 3 * time.Second

// maxBatch caps the script calls sent in one pipeline.
const maxBatch = 256

// scriptCall is one limiter script call waiting for its reply.
type scriptCall struct {
	script *redis.Script
	keys   []string
	args   []any
	cmd    *redis.Cmd
	done   chan struct{} // closed when cmd holds the reply, or lead is set
	lead   bool          // this caller sends the next batch: handed
	handed []*scriptCall // (itself first)
}

// coalescer sends the script calls of concurrent requests to Redis
// together (group commit): a call made while none is in flight goes out at
// once, on its own; calls made while one is in flight queue, and the next
// round trip sends all of them in one pipeline. Every call stays its own
// atomic script run, in arrival order, so the limits hold exactly as with
// one round trip per call; what is saved is the per-call write and read on
// both ends (and, in Redis, the event-loop iteration and AOF write per
// call). No goroutine of its own: the caller whose call goes out sends the
// batch; a queued caller waits for its reply or to be handed the next
// batch. The zero value is ready to use.
type coalescer struct {
	mu    sync.Mutex
	busy  bool // a round trip is in flight
	queue []*scriptCall
	calls atomic.Int64 // script calls made
	trips atomic.Int64 // round trips that carried them
}

// run returns the reply of script on keys and args.
func (co *coalescer) run(ctx context.Context, rdb redis.Scripter, pipe func() redis.Pipeliner, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	c := &scriptCall{script: script, keys: keys, args: args}
	co.mu.Lock()
	if co.busy {
		c.done = make(chan struct{})
		co.queue = append(co.queue, c)
		co.mu.Unlock()
		<-c.done // bounded: the round trip in flight has execTimeout
		if !c.lead {
			return c.cmd
		}
	} else {
		co.busy = true
		co.mu.Unlock()
	}
	// this caller sends: its own call, or the batch it was handed (its
	// call first)
	batch := []*scriptCall{c}
	if c.lead {
		batch = c.handed
	}
	co.send(ctx, rdb, pipe, batch)
	// hand what queued meanwhile to the first of it, or go idle
	co.mu.Lock()
	if len(co.queue) == 0 {
		co.busy = false
		co.mu.Unlock()
		return c.cmd
	}
	n := min(len(co.queue), maxBatch)
	next := co.queue[:n:n]
	co.queue = append([]*scriptCall(nil), co.queue[n:]...)
	co.mu.Unlock()
	next[0].handed = next
	next[0].lead = true
	close(next[0].done)
	return c.cmd
}

// send runs the batch: one call directly, more in one pipeline; a script
// Redis does not have cached (after a restart or SCRIPT FLUSH) is run again
// with its source.
func (co *coalescer) send(ctx context.Context, rdb redis.Scripter, pipe func() redis.Pipeliner, batch []*scriptCall) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), execTimeout)
	defer cancel()
	co.calls.Add(int64(len(batch)))
	co.trips.Add(1)
	if len(batch) == 1 {
		c := batch[0]
		c.cmd = c.script.Run(ctx, rdb, c.keys, c.args...)
		return
	}
	p := pipe()
	for _, c := range batch {
		c.cmd = c.script.EvalSha(ctx, p, c.keys, c.args...)
	}
	_, _ = p.Exec(ctx) // each call's error is in its cmd
	for i, c := range batch {
		if redis.HasErrorPrefix(c.cmd.Err(), "NOSCRIPT") {
			c.cmd = c.script.Run(ctx, rdb, c.keys, c.args...)
		}
		if i > 0 {
			close(c.done)
		}
	}
}
