package api

import (
	"context"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/collectorstash/csm/catalog"
)

// streamBeats is the heartbeat of every connection of one server, run by
// one goroutine instead of a ticker (and a Redis round trip) per
// connection. Every tick (a tenth of the heartbeat) it:
//   - closes connections whose frame write has taken longer than
//     streamWriteTimeout (the writers themselves carry no timer);
//   - for each connection whose beat is due (one heartbeat after the
//     previous one, so beats stay spread over the interval as connections
//     came): drops it when it has been silent for two and a half
//     heartbeats (no message, no pong), else queues a ping frame and sends
//     a protocol ping;
//   - refreshes the due connections' slots in the connection counter in one
//     batch.
//
// The goroutine runs while the server holds connections.
type streamBeats struct {
	s *Server
	// frames encodes the frames of this server's connections.
	frames frameEncoder

	mu      sync.Mutex
	conns   map[*streamConn]struct{}
	running bool
	stop    chan struct{}

	refreshing chan struct{} // one batch refresh in flight at most
}

func newStreamBeats(s *Server) *streamBeats {
	return &streamBeats{s: s, conns: map[*streamConn]struct{}{}, refreshing: make(chan struct{}, 1)}
}

// add starts beating c (its first beat one heartbeat from now).
func (b *streamBeats) add(c *streamConn) {
	c.nextBeat = time.Now().Add(b.s.heartbeat())
	b.mu.Lock()
	defer b.mu.Unlock()
	b.conns[c] = struct{}{}
	if !b.running {
		b.running = true
		b.stop = make(chan struct{})
		go b.run(b.stop)
	}
}

// remove stops beating c; the goroutine ends with the last connection.
func (b *streamBeats) remove(c *streamConn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.conns[c]; !ok {
		return
	}
	delete(b.conns, c)
	if len(b.conns) == 0 && b.running {
		b.running = false
		close(b.stop)
	}
}

func (b *streamBeats) run(stop <-chan struct{}) {
	hb := b.s.heartbeat()
	tick := time.NewTicker(max(hb/10, time.Millisecond))
	defer tick.Stop()
	var due, all []*streamConn
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			all, due = all[:0], due[:0]
			b.mu.Lock()
			for c := range b.conns {
				all = append(all, c)
			}
			b.mu.Unlock()
			for _, c := range all {
				if w := c.writing.Load(); w != 0 && now.Sub(time.Unix(0, w)) > streamWriteTimeout {
					_ = c.ws.CloseNow() // the write in flight fails, the writer ends
					continue
				}
				if now.Before(c.nextBeat) {
					continue
				}
				c.nextBeat = c.nextBeat.Add(hb)
				if c.nextBeat.Before(now) { // the process stalled: no burst of catch-up beats
					c.nextBeat = now.Add(hb)
				}
				if c.beat(now, hb) && c.bucket != "" {
					due = append(due, c)
				}
			}
			b.refresh(due)
		}
	}
}

// beat is one heartbeat of c; false when c was dropped.
func (c *streamConn) beat(now time.Time, hb time.Duration) bool {
	if now.Sub(time.Unix(0, c.lastSeen.Load())) > hb*5/2 {
		c.close(websocket.StatusPolicyViolation, "heartbeat timeout")
		return false
	}
	if !c.deliverWire(pingWire) {
		c.Drop("slow consumer")
		return false
	}
	go func() {
		pctx, cancel := context.WithTimeout(context.Background(), hb)
		defer cancel()
		_ = c.ws.Ping(pctx)
	}()
	return true
}

// refresh keeps the due connections' slots alive in one batch, off the
// beat goroutine; a batch still running when the next is due skips it
// (slots live for three heartbeats).
func (b *streamBeats) refresh(due []*streamConn) {
	lim := b.s.cfg.StreamConns
	if len(due) == 0 || lim == nil {
		return
	}
	select {
	case b.refreshing <- struct{}{}:
	default:
		return
	}
	refs := make([]catalog.ConnRef, len(due))
	for i, c := range due {
		refs[i] = catalog.ConnRef{Bucket: c.bucket, ID: c.id}
	}
	go func() {
		defer func() { <-b.refreshing }()
		ctx, cancel := context.WithTimeout(context.Background(), b.s.heartbeat())
		defer cancel()
		if err := lim.RefreshMany(ctx, refs); err != nil {
			b.s.cfg.Log.Warn("stream connections not refreshed", "count", len(refs), "err", err)
		}
	}()
}
