package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
)

// Hub implements catalog.StreamHub for one API process. It holds one Redis
// pub/sub connection, subscribed to exactly the channels of the topics its
// sinks hold (go-redis re-subscribes them after a reconnect), and hands each
// received frame to every sink of the topic with a non-blocking Deliver: a
// sink whose buffer is full is unsubscribed and dropped, so one slow client
// never delays the others.
type Hub struct {
	prefix, scanPrefix string
	log                *slog.Logger
	ps                 *redis.PubSub

	mu     sync.RWMutex
	topics map[string]map[catalog.StreamSink]struct{}
	sinks  map[catalog.StreamSink]map[string]struct{}
	closed bool
	done   chan struct{}
}

var _ catalog.StreamHub = (*Hub)(nil)

// HubOptions configure a Hub.
type HubOptions struct {
	// Prefix starts the channel of every topic ("" = DefaultPrefix).
	Prefix string
	// ScanPrefix, when set, is the scan sessions' own event bus
	// (workers.ScanEventsPrefix): scan:<session> is also relayed from
	// ScanPrefix+<session>, whose {"event","data"} messages become
	// scan_result frames.
	ScanPrefix string
	// Buffer is the Redis receive buffer in messages (4096 by default).
	Buffer int
	Log    *slog.Logger
}

// NewHub subscribes on rdb and starts relaying; Close stops it.
func NewHub(rdb redis.UniversalClient, o HubOptions) *Hub {
	prefix, log := o.Prefix, o.Log
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if log == nil {
		log = slog.Default()
	}
	h := &Hub{
		prefix: prefix, scanPrefix: o.ScanPrefix, log: log,
		ps:     rdb.Subscribe(context.Background()),
		topics: map[string]map[catalog.StreamSink]struct{}{},
		sinks:  map[catalog.StreamSink]map[string]struct{}{},
		done:   make(chan struct{}),
	}
	if o.Buffer <= 0 {
		o.Buffer = 4096
	}
	go h.run(h.ps.Channel(redis.WithChannelSize(o.Buffer)))
	return h
}

func (h *Hub) run(ch <-chan *redis.Message) {
	defer close(h.done)
	var slow []catalog.StreamSink
	for msg := range ch {
		topic, frame, ok := h.decode(msg)
		if !ok {
			continue
		}
		slow = slow[:0]
		h.mu.RLock()
		for s := range h.topics[topic] {
			if !s.Deliver(frame) {
				slow = append(slow, s)
			}
		}
		h.mu.RUnlock()
		for _, s := range slow {
			h.UnsubscribeAll(s)
			go s.Drop("slow consumer")
		}
		if len(slow) > 0 {
			h.log.Warn("realtime: dropped slow consumers", "topic", topic, "count", len(slow))
		}
	}
}

// Subscribe adds sink to topic; the first local subscriber of a topic
// subscribes the process to its Redis channel.
func (h *Hub) Subscribe(ctx context.Context, sink catalog.StreamSink, topic string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return catalog.Errorf(catalog.EUNAVAILABLE, "Server shutting down")
	}
	subs := h.topics[topic]
	if subs == nil {
		if err := h.ps.Subscribe(ctx, h.channels(topic)...); err != nil {
			return catalog.Unavailable(fmt.Errorf("realtime: subscribe %s: %w", topic, err))
		}
		subs = map[catalog.StreamSink]struct{}{}
		h.topics[topic] = subs
	}
	subs[sink] = struct{}{}
	mine := h.sinks[sink]
	if mine == nil {
		mine = map[string]struct{}{}
		h.sinks[sink] = mine
	}
	mine[topic] = struct{}{}
	return nil
}

// Unsubscribe removes sink from topic; the last one unsubscribes the
// process from the Redis channel.
func (h *Hub) Unsubscribe(sink catalog.StreamSink, topic string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.remove(sink, topic)
}

// UnsubscribeAll removes sink from every topic.
func (h *Hub) UnsubscribeAll(sink catalog.StreamSink) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for topic := range h.sinks[sink] {
		h.remove(sink, topic)
	}
}

func (h *Hub) remove(sink catalog.StreamSink, topic string) {
	subs, ok := h.topics[topic]
	if !ok {
		return
	}
	delete(subs, sink)
	if mine := h.sinks[sink]; mine != nil {
		delete(mine, topic)
		if len(mine) == 0 {
			delete(h.sinks, sink)
		}
	}
	if len(subs) == 0 {
		delete(h.topics, topic)
		if !h.closed {
			if err := h.ps.Unsubscribe(context.Background(), h.channels(topic)...); err != nil {
				h.log.Warn("realtime: unsubscribe", "topic", topic, "err", err)
			}
		}
	}
}

// Topics returns how many topics this process is subscribed to.
func (h *Hub) Topics() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.topics)
}

// Close drops every sink ("server shutting down") and closes the Redis
// subscription.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	sinks := make([]catalog.StreamSink, 0, len(h.sinks))
	for s := range h.sinks {
		sinks = append(sinks, s)
	}
	h.topics = map[string]map[catalog.StreamSink]struct{}{}
	h.sinks = map[catalog.StreamSink]map[string]struct{}{}
	h.mu.Unlock()
	for _, s := range sinks {
		go s.Drop("server shutting down")
	}
	err := h.ps.Close()
	<-h.done
	return err
}

// channels are the Redis channels of topic.
func (h *Hub) channels(topic string) []string {
	if session, ok := strings.CutPrefix(topic, "scan:"); ok && h.scanPrefix != "" {
		return []string{h.prefix + topic, h.scanPrefix + session}
	}
	return []string{h.prefix + topic}
}

// decode maps a received message to its topic and frame.
func (h *Hub) decode(msg *redis.Message) (string, []byte, bool) {
	session, ok := strings.CutPrefix(msg.Channel, h.scanPrefix)
	if !ok || h.scanPrefix == "" {
		topic, ok := strings.CutPrefix(msg.Channel, h.prefix)
		return topic, []byte(msg.Payload), ok
	}
	var ev catalog.ScanEvent
	if err := json.Unmarshal([]byte(msg.Payload), &ev); err != nil {
		h.log.Warn("realtime: bad scan event", "session", session, "err", err)
		return "", nil, false
	}
	topic := catalog.ScanTopic(session)
	b, err := Encode(catalog.Event{Type: catalog.FrameScanResult, Topic: topic, Data: ScanResult{SessionID: session, Event: ev.Event, Data: ev.Data}}, time.Now())
	if err != nil {
		return "", nil, false
	}
	return topic, b, true
}

// ScanResult is the data of a scan_result frame: the scan session's event
// (claimed, photo, result, completed) and its data as on the SSE stream.
type ScanResult struct {
	SessionID string          `json:"session_id"`
	Event     string          `json:"event"`
	Data      json.RawMessage `json:"data,omitempty"`
}
