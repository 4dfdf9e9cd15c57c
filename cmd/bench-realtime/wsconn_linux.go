package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// rawConn is one bench client's WebSocket connection, read by the client
// process's single epoll loop (reader) rather than by a goroutine of its
// own: 5,000 reading goroutines, each woken by the netpoller and going
// through a WebSocket library per frame, cost the client processes as much
// CPU as the server's fan-out on the same two cores, and their scheduling
// delay ended up in the measured latency. Only what the bench needs of
// RFC 6455 is here: the client handshake, masked client frames, unmasked
// server frames (text, ping → pong, close).
type rawConn struct {
	fd   int
	buf  []byte // received bytes not yet parsed (a partial frame)
	acks int
	dead bool
}

// dialRaw opens a WebSocket to u, turns kernel receive timestamps on
// (SO_TIMESTAMPNS) and sends first, a client text frame. The connection's
// descriptor is a duplicate owned by the caller (Go's netpoller no longer
// watches it); bytes the server sent after the handshake are in buf.
func dialRaw(ctx context.Context, u string, first []byte) (*rawConn, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", pu.Host)
	if err != nil {
		return nil, err
	}
	defer nc.Close() // the duplicate stays open
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", pu.RequestURI(), pu.Host, base64.StdEncoding.EncodeToString(key))
	if _, err := nc.Write([]byte(req)); err != nil {
		return nil, err
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, fmt.Errorf("handshake: %w", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, fmt.Errorf("handshake: %s", resp.Status)
	}
	c := &rawConn{buf: make([]byte, 0, 1024)}
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		c.buf = append(c.buf, b...)
	}
	if _, err := nc.Write(clientFrame(opText, first)); err != nil {
		return nil, err
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil, errors.New("not a socket")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) {
		if opErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1); opErr != nil {
			return
		}
		c.fd, opErr = syscall.Dup(int(fd))
	}); err != nil {
		return nil, err
	}
	if opErr != nil {
		return nil, opErr
	}
	if err := syscall.SetNonblock(c.fd, true); err != nil {
		_ = syscall.Close(c.fd)
		return nil, err
	}
	return c, nil
}

// WebSocket opcodes (RFC 6455 §5.2).
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

// clientFrame is a final, masked client frame.
func clientFrame(op byte, p []byte) []byte {
	b := []byte{0x80 | op, 0}
	switch {
	case len(p) <= 125:
		b[1] = 0x80 | byte(len(p))
	case len(p) <= 0xFFFF:
		b[1] = 0x80 | 126
		b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
	default:
		b[1] = 0x80 | 127
		b = binary.BigEndian.AppendUint64(b, uint64(len(p)))
	}
	var mask [4]byte
	_, _ = rand.Read(mask[:])
	b = append(b, mask[:]...)
	for i, x := range p {
		b = append(b, x^mask[i%4])
	}
	return b
}

// nextFrame splits the first complete server frame off b: its opcode,
// payload and the rest; ok is false while the frame is incomplete.
func nextFrame(b []byte) (op byte, payload, rest []byte, ok bool) {
	if len(b) < 2 {
		return 0, nil, b, false
	}
	op, n, h := b[0]&0x0F, uint64(b[1]&0x7F), 2
	switch n {
	case 126:
		if len(b) < 4 {
			return 0, nil, b, false
		}
		n, h = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return 0, nil, b, false
		}
		n, h = binary.BigEndian.Uint64(b[2:]), 10
	}
	if b[1]&0x80 != 0 { // servers do not mask; skip a key all the same
		h += 4
	}
	if uint64(len(b)-h) < n {
		return 0, nil, b, false
	}
	end := h + int(n)
	return op, b[h:end], b[end:], true
}

// readSome reads what the socket holds (one recvmsg, two if the buffer
// filled) and returns the kernel's receive time of the last bytes read
// (SO_TIMESTAMPNS: when the server's segment reached this socket, before
// this process was scheduled to read it) or the zero time when the socket
// gave none. closed is true on EOF or a hard error.
func (c *rawConn) readSome(oob []byte) (arrival time.Time, closed bool) {
	for {
		if cap(c.buf)-len(c.buf) < 512 {
			c.buf = append(c.buf[:cap(c.buf)], make([]byte, cap(c.buf))...)[:len(c.buf)]
		}
		space := c.buf[len(c.buf):cap(c.buf)]
		n, oobn, _, _, err := syscall.Recvmsg(c.fd, space, oob, 0)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN):
			return arrival, false
		case err != nil || n == 0:
			return arrival, true
		}
		c.buf = c.buf[:len(c.buf)+n]
		if t, ok := recvTimestamp(oob[:oobn]); ok {
			arrival = t
		}
		if n < len(space) { // drained; level-triggered epoll says if more comes
			return arrival, false
		}
	}
}

// recvTimestamp reads an SCM_TIMESTAMPNS control message.
func recvTimestamp(oob []byte) (time.Time, bool) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:]))
			return time.Unix(sec, nsec), true
		}
	}
	return time.Time{}, false
}
