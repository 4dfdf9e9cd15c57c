package workers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
)

// ScanEventsPrefix starts the Redis pub/sub channel of every scan session:
// ScanEventsPrefix + session id carries that session's events as JSON
// catalog.ScanEvent messages ({"event", "data"}). The stream relay
// subscribes to the pattern ScanEventsPrefix + "*" and serves each as the
// scan:<session> topic.
const ScanEventsPrefix = "csm:scan-session:"

// BatchEventsPrefix starts the Redis pub/sub channel of every bulk batch:
// BatchEventsPrefix + batch id carries "scan" events (one per finished
// scan), which the bulk SSE stream follows instead of polling Postgres.
const BatchEventsPrefix = "csm:scan-batch:"

// ScanEvents implements catalog.ScanEvents on Redis pub/sub, so that every
// API process sees every session's (or batch's) events.
type ScanEvents struct {
	rdb    redis.UniversalClient
	prefix string
	shared bool
}

var _ catalog.ScanEvents = (*ScanEvents)(nil)

// NewScanEvents connects to Redis at addr: the scan sessions' bus.
func NewScanEvents(addr string) *ScanEvents {
	return &ScanEvents{rdb: redis.NewClient(&redis.Options{Addr: addr}), prefix: ScanEventsPrefix}
}

// NewBatchEvents connects to Redis at addr: the bulk batches' bus, the
// same mechanism on channels of their own (BatchEventsPrefix).
func NewBatchEvents(addr string) *ScanEvents {
	return &ScanEvents{rdb: redis.NewClient(&redis.Options{Addr: addr}), prefix: BatchEventsPrefix}
}

// NewScanEventsFromClient uses the process's Redis client for the scan
// sessions' bus; Close leaves it open.
func NewScanEventsFromClient(rdb redis.UniversalClient) *ScanEvents {
	return &ScanEvents{rdb: rdb, prefix: ScanEventsPrefix, shared: true}
}

// NewBatchEventsFromClient uses the process's Redis client for the bulk
// batches' bus; Close leaves it open.
func NewBatchEventsFromClient(rdb redis.UniversalClient) *ScanEvents {
	return &ScanEvents{rdb: rdb, prefix: BatchEventsPrefix, shared: true}
}

// Close releases the connections (not a shared client).
func (e *ScanEvents) Close() error {
	if e.shared {
		return nil
	}
	return e.rdb.Close()
}

// Publish sends one event to the session's subscribers.
func (e *ScanEvents) Publish(ctx context.Context, sessionID, event string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("scan events: %w", err)
	}
	msg, _ := json.Marshal(catalog.ScanEvent{Event: event, Data: raw})
	if err := e.rdb.Publish(ctx, e.prefix+sessionID, msg).Err(); err != nil {
		return catalog.Unavailable(fmt.Errorf("scan events: publish: %w", err))
	}
	return nil
}

// Subscribe returns the session's events from now on: the subscription is
// confirmed by Redis before it returns, so nothing published afterwards is
// missed. The channel closes on cancel or when ctx ends.
func (e *ScanEvents) Subscribe(ctx context.Context, sessionID string) (<-chan catalog.ScanEvent, func(), error) {
	sub := e.rdb.Subscribe(ctx, e.prefix+sessionID)
	if _, err := sub.Receive(ctx); err != nil {
		_ = sub.Close()
		return nil, nil, catalog.Unavailable(fmt.Errorf("scan events: subscribe: %w", err))
	}
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan catalog.ScanEvent, 16)
	in := sub.Channel()
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-in:
				if !ok {
					return
				}
				var ev catalog.ScanEvent
				if json.Unmarshal([]byte(m.Payload), &ev) != nil {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, cancel, nil
}

// Ping reports whether Redis answers.
func (e *ScanEvents) Ping(ctx context.Context) error { return e.rdb.Ping(ctx).Err() }
