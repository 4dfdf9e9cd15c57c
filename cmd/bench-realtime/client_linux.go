package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/cmd/internal/sysload"
)

// client opens its part of the connections, reports ready, reports each
// round once all of its clients have it, and sends its samples when stdin
// closes. One goroutine reads every connection of the process through
// epoll (rawConn); dialling runs 64 at a time.
func client(raw string) error {
	var cfg clientConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return fmt.Errorf("%s: %w", clientEnv, err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), cfg.Deadline)
	defer cancel()
	fdLimit, err := raiseFDLimit(uint64(2*cfg.N + 256)) // the dialled socket and its duplicate, briefly
	if err != nil {
		return err
	}
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("epoll: %w", err)
	}
	defer syscall.Close(epfd)

	var outMu sync.Mutex
	enc := json.NewEncoder(os.Stdout)
	send := func(m any) {
		outMu.Lock()
		defer outMu.Unlock()
		_ = enc.Encode(m)
	}

	rd := &reader{
		epfd: epfd, conns: make([]atomic.Pointer[rawConn], cfg.N),
		rounds: make([]int64, cfg.Rounds), ready: make(chan struct{}, cfg.N),
		report: func(round int) { send(clientMsg{Done: &round}) },
	}
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		rd.run()
	}()

	var (
		firstErr atomic.Value
		dialled  atomic.Int64
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, 64) // dialers at a time
	for i := range cfg.N {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			dctx, dcancel := context.WithTimeout(ctx, 20*time.Second)
			defer dcancel()
			sub, _ := json.Marshal(map[string]any{"type": "subscribe", "topics": []string{benchTopic, catalog.CardTopic(int64((cfg.First+i)%cards + 1))}})
			c, err := dialRaw(dctx, cfg.URL, sub)
			if err == nil {
				err = rd.add(i, c)
			}
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			dialled.Add(1)
		})
	}
	wg.Wait()
	// every dialled client has its two "subscribed" acks (30 s at most)
	acked := 0
	acks := time.NewTimer(30 * time.Second)
wait:
	for range dialled.Load() {
		select {
		case <-rd.ready:
			acked++
		case <-acks.C:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	acks.Stop()
	rd.held.Store(int64(acked))
	var r clientMsg
	r.Ready = &readyMsg{Held: acked, Failed: cfg.N - acked, FDLimit: fdLimit}
	if err, ok := firstErr.Load().(error); ok {
		r.Ready.Err = err.Error()
	}
	rd.armed.Store(true)
	cpu0 := sysload.CPUTime()
	send(r)

	// stdin closes (or the deadline passes): send the samples
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	<-ctx.Done()
	rd.stop.Store(true)
	<-readerDone
	out := clientMsg{Samples: &rd.samples}
	out.Samples.CPU = sysload.CPUTime() - cpu0
	out.Samples.Received = int64(len(rd.samples.Broadcast) + len(rd.samples.PerCard))
	send(out)
	return nil
}

// reader reads every connection of a client process on one goroutine.
type reader struct {
	epfd   int
	conns  []atomic.Pointer[rawConn] // by client index (the epoll event's data)
	ready  chan struct{}             // a client has both acks
	held   atomic.Int64
	armed  atomic.Bool
	stop   atomic.Bool
	report func(round int)

	// the reading goroutine's own
	rounds  []int64
	samples samplesMsg
}

// add registers c as client i and hands it to the reading goroutine.
func (rd *reader) add(i int, c *rawConn) error {
	rd.conns[i].Store(c)
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(i)}
	if err := syscall.EpollCtl(rd.epfd, syscall.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
		_ = syscall.Close(c.fd)
		return fmt.Errorf("epoll add: %w", err)
	}
	// bytes that came with the handshake response are parsed on the next
	// event; the acks always follow the subscribe sent after it
	return nil
}

func (rd *reader) run() {
	runtime.LockOSThread()
	events := make([]syscall.EpollEvent, 512)
	oob := make([]byte, syscall.CmsgSpace(64))
	for !rd.stop.Load() {
		n, err := syscall.EpollWait(rd.epfd, events, 100)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return
		}
		for _, ev := range events[:n] {
			c := rd.conns[ev.Fd].Load()
			if c == nil || c.dead {
				continue
			}
			arrival, closed := c.readSome(oob)
			now := time.Now()
			if arrival.IsZero() {
				arrival = now
			}
			rd.frames(c, arrival, now)
			if closed {
				c.dead = true
				_ = syscall.EpollCtl(rd.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
				_ = syscall.Close(c.fd)
			}
		}
	}
}

// frames handles every complete frame in c's buffer: the two acks signal
// ready, a ping is answered, price_update frames record their latency from
// the ts they carry, at arrival (the kernel's receive time) and as read
// (now).
func (rd *reader) frames(c *rawConn, arrival, now time.Time) {
	b := c.buf
	for {
		op, p, rest, ok := nextFrame(b)
		if !ok {
			break
		}
		b = rest
		switch op {
		case opPing:
			_, _ = syscall.Write(c.fd, clientFrame(opPong, p))
		case opText:
			rd.text(c, p, arrival, now)
		}
	}
	c.buf = c.buf[:copy(c.buf, b)]
}

func (rd *reader) text(c *rawConn, p []byte, arrival, now time.Time) {
	switch {
	case bytes.HasPrefix(p, []byte(`{"type":"subscribed"`)):
		if c.acks++; c.acks == 2 {
			rd.ready <- struct{}{}
		}
	case bytes.HasPrefix(p, []byte(`{"type":"price_update"`)):
		topic := field(p, `"topic":"`, '"')
		tsf, _ := strconv.ParseFloat(string(field(p, `"ts":`, ',')), 64)
		ts := time.UnixMicro(int64(tsf*1e6 + 0.5))
		s := &rd.samples
		if string(topic) == benchTopic {
			s.Broadcast = append(s.Broadcast, int64(arrival.Sub(ts)))
			s.BroadcastRead = append(s.BroadcastRead, int64(now.Sub(ts)))
		} else {
			s.PerCard = append(s.PerCard, int64(arrival.Sub(ts)))
			s.PerCardRead = append(s.PerCardRead, int64(now.Sub(ts)))
		}
		round, err := strconv.ParseFloat(string(field(p, `"market_price":`, ',')), 64)
		if r := int(round); err == nil && r >= 0 && r < len(rd.rounds) {
			if rd.rounds[r]++; rd.rounds[r] == rd.held.Load() && rd.armed.Load() {
				rd.report(r)
			}
		}
	}
}

// field returns the bytes after key up to end.
func field(b []byte, key string, end byte) []byte {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return nil
	}
	b = b[i+len(key):]
	if j := bytes.IndexByte(b, end); j >= 0 {
		return b[:j]
	}
	return nil
}
