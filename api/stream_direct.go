package api

import (
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// Direct writes: a frame delivered to a connection with nothing queued or
// being written is written to its socket at once, by the goroutine that
// delivers it (the hub's, for events), with one non-blocking write(2). An
// event fanned out to thousands of connections then costs, per
// connection, that write and no channel send, goroutine wake-up, context
// switch and channel receive (the per-connection writer's path, which was
// about as much CPU as the write itself under make bench-realtime). The
// hub still never blocks: a socket whose buffer is full takes what fits
// and the rest goes to the connection's writer (pending), which also takes
// every frame while anything is queued, so a connection's frames keep
// their order and a slow client still fills its queue and is dropped.
//
// The WebSocket library writes its own frames (pongs, pings, the close
// frame) through lockedConn, under the same wmu, after finishing a pending
// rest: frames never interleave on the socket.

// wake is queued to make the writer send pending (a frame the direct
// write could not finish); it writes nothing itself.
var wake = []byte{}

// lockedConn is the socket as the WebSocket library writes to it: each
// write takes the connection's wmu and first sends a pending rest.
type lockedConn struct {
	net.Conn
	c *streamConn
}

// Write writes p after any pending rest, under wmu.
func (l *lockedConn) Write(p []byte) (int, error) {
	l.c.wmu.Lock()
	defer l.c.wmu.Unlock()
	if err := l.c.flushPending(); err != nil {
		return 0, err
	}
	return l.Conn.Write(p)
}

// flushPending writes the rest of a partly written frame, blocking (wmu
// held; the heartbeat goroutine's write timeout bounds it).
func (c *streamConn) flushPending() error {
	if c.pending == nil {
		return nil
	}
	p := c.pending
	c.pending = nil
	if c.writing.Load() == 0 {
		c.writing.Store(time.Now().UnixNano())
		defer c.writing.Store(0)
	}
	_, err := c.raw.Write(p)
	return err
}

// tryDirect writes f from the calling goroutine when the connection has
// nothing queued, pending or being written, without blocking. It reports
// whether f was taken (written, or its rest handed to the writer); false
// leaves f to the queue.
func (c *streamConn) tryDirect(f []byte) bool {
	if c.rc == nil || c.queued.Load() != 0 || !c.wmu.TryLock() {
		return false
	}
	defer c.wmu.Unlock()
	if c.stopped || c.pending != nil || c.queued.Load() != 0 {
		return false
	}
	var n int
	var werr error
	err := c.rc.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), f)
		return true // one attempt: never wait for the socket
	})
	if err == nil {
		err = werr
	}
	n = max(n, 0)
	switch {
	case err == nil && n == len(f):
		return true
	case err == nil || errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR):
		// the socket buffer is full: the writer sends the rest
		c.pending = f[n:]
		c.queued.Add(1)
		select {
		case c.send <- wake: // the queue was empty
		default:
			c.queued.Add(-1)
		}
		return true
	default:
		c.close(websocket.StatusGoingAway, "write failed")
		return true
	}
}
