package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDirectWritesKeepFramesWhole: frames delivered while the peer reads
// nothing fill the socket buffer, so direct writes end part-way and the
// writer finishes them; control frames written through lockedConn (as the
// WebSocket library writes) wait for a partly written frame. Once the peer
// reads, the byte stream is every frame whole, in order.
func TestDirectWritesKeepFramesWhole(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	peer, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = peer.Close() })
	require.NoError(t, peer.(*net.TCPConn).SetReadBuffer(65536))
	var srv net.Conn
	select {
	case srv = <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("no connection accepted")
	}
	t.Cleanup(func() { _ = srv.Close() })
	require.NoError(t, srv.(*net.TCPConn).SetWriteBuffer(65536))
	rc, err := srv.(syscall.Conn).SyscallConn()
	require.NoError(t, err)

	c := &streamConn{raw: srv, rc: rc, send: make(chan []byte, streamSendBuffer), beats: &streamBeats{}}
	lc := &lockedConn{Conn: srv, c: c}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan struct{})
	go func() { defer close(done); c.writer(ctx) }()

	var want bytes.Buffer
	control := []byte{0x89, 0x00} // a ping frame, as the library writes it
	for i := range 100 {
		p := bytes.Repeat([]byte(fmt.Sprintf("%03d", i)), 3000) // 9 kB
		want.Write(c.beats.frames.encode(p))
		require.True(t, c.Deliver(p), "frame %d refused", i)
		if i%10 == 5 {
			go func() { _, _ = lc.Write(control) }() // may wait behind a partial frame
		}
	}
	require.Positive(t, c.queued.Load(), "the socket buffer filled: frames queued")

	// read everything: the frames in order, each whole, with the control
	// frames only between frames
	var got bytes.Buffer
	pings := 0
	_ = peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	rd := io.Reader(peer)
	for got.Len() < want.Len() {
		hdr := make([]byte, 2)
		_, err := io.ReadFull(rd, hdr)
		require.NoError(t, err)
		if hdr[0] == 0x89 {
			pings++
			continue
		}
		require.Equal(t, byte(0x81), hdr[0], "a frame starts at a frame boundary")
		require.Equal(t, byte(126), hdr[1])
		ext := make([]byte, 2)
		_, err = io.ReadFull(rd, ext)
		require.NoError(t, err)
		n := int(ext[0])<<8 | int(ext[1])
		body := make([]byte, n)
		_, err = io.ReadFull(rd, body)
		require.NoError(t, err)
		got.Write(hdr)
		got.Write(ext)
		got.Write(body)
	}
	require.True(t, bytes.Equal(want.Bytes(), got.Bytes()), "frames whole and in order")
	require.Eventually(t, func() bool { return c.queued.Load() == 0 }, 5*time.Second, time.Millisecond)
	// the control frames that were still waiting arrive whole
	for pings < 10 {
		hdr := make([]byte, 2)
		_, err := io.ReadFull(rd, hdr)
		require.NoError(t, err)
		require.Equal(t, control, hdr)
		pings++
	}
	c.send <- nil
	<-done
}
