package realtime

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/collectorstash/csm/catalog"
)

// Publisher implements catalog.EventPublisher with Redis PUBLISH.
type Publisher struct {
	rdb    redis.UniversalClient
	prefix string
}

var _ catalog.EventPublisher = (*Publisher)(nil)

// NewPublisher publishes on rdb under prefix ("" = DefaultPrefix).
func NewPublisher(rdb redis.UniversalClient, prefix string) *Publisher {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Publisher{rdb: rdb, prefix: prefix}
}

// Publish encodes each event once and pipelines the PUBLISHes, 1,000 a
// round trip.
func (p *Publisher) Publish(ctx context.Context, events ...catalog.Event) error {
	now := time.Now()
	const batch = 1000
	for start := 0; start < len(events); start += batch {
		pipe := p.rdb.Pipeline()
		for _, e := range events[start:min(start+batch, len(events))] {
			b, err := Encode(e, now)
			if err != nil {
				return fmt.Errorf("realtime: encode %s: %w", e.Type, err)
			}
			pipe.Publish(ctx, p.prefix+e.Topic, b)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return catalog.Unavailable(fmt.Errorf("realtime: publish: %w", err))
		}
	}
	return nil
}
