package api

import (
	"bufio"
	"net"
	"sync/atomic"
	"unsafe"

	"github.com/gin-gonic/gin"
)

// Data frames bypass the WebSocket library: each is encoded once (header
// and payload) however many connections it goes to, and written to the
// socket with one Write. The library still reads, answers pings, sends the
// heartbeat's protocol pings and runs the close handshake; its frames are
// small control frames written with one Write each, and a connection's
// Writes never interleave (the socket serialises them), so both can share
// the socket. A connection's data frames stop before its close frame
// (streamConn.close takes wmu).

// rawHijacker records the connection the WebSocket library hijacks.
type rawHijacker struct {
	gin.ResponseWriter
	conn net.Conn
}

// Hijack is gin's, keeping the connection.
func (h *rawHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := h.ResponseWriter.Hijack()
	h.conn = c
	return c, brw, err
}

// encodedFrame is a payload and its encoded WebSocket frame.
type encodedFrame struct {
	data *byte // the payload's first byte: the entry keeps it alive
	n    int
	enc  []byte
}

// frameEncoder encodes server text frames, remembering the last one: the
// hub hands the same payload to every subscriber of a topic in turn, so it
// is encoded once per event, not per subscriber.
type frameEncoder struct{ last atomic.Pointer[encodedFrame] }

// encode returns p as an unmasked, final text frame. Payloads are never
// modified once delivered, and the entry holds p, so its address cannot be
// reused for another payload while cached.
func (e *frameEncoder) encode(p []byte) []byte {
	if l := e.last.Load(); l != nil && l.n == len(p) && l.data == unsafe.SliceData(p) && len(p) > 0 {
		return l.enc
	}
	enc := encodeFrame(p)
	if len(p) > 0 {
		e.last.Store(&encodedFrame{data: unsafe.SliceData(p), n: len(p), enc: enc})
	}
	return enc
}

// encodeFrame returns p as an unmasked, final text frame.
func encodeFrame(p []byte) []byte {
	return append(appendFrameHeader(make([]byte, 0, len(p)+10), len(p)), p...)
}

// Frames sent as they are, encoded once (not through a frameEncoder, whose
// one entry they would evict in the middle of an event's fan-out): the
// heartbeat's ping and the reply to a ping message.
var (
	pingWire = encodeFrame(pingFrame)
	pongWire = encodeFrame(pongFrame)
)

// appendFrameHeader appends the header of a server (unmasked) final text
// frame of n bytes (RFC 6455 §5.2).
func appendFrameHeader(b []byte, n int) []byte {
	b = append(b, 0x81)
	switch {
	case n <= 125:
		return append(b, byte(n))
	case n <= 0xFFFF:
		return append(b, 126, byte(n>>8), byte(n))
	default:
		return append(b, 127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

// framePayload is the payload of a frame made by encode.
func framePayload(f []byte) []byte {
	switch f[1] {
	case 126:
		return f[4:]
	case 127:
		return f[10:]
	default:
		return f[2:]
	}
}
