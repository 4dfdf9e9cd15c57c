// Package realtime is the Redis side of the real-time API: a Publisher that
// sends events on Redis pub/sub channels named <prefix><topic> (csm:rt:card:267
// by default), a Hub per API process that subscribes to the channels its
// connections want (one Redis subscription connection per process) and fans
// each frame out to them without ever blocking on a slow one, and Conns, the
// per-key / per-IP connection counter shared by every process.
package realtime

import (
	"encoding/json"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// DefaultPrefix starts every channel and key name of this package.
const DefaultPrefix = "csm:rt:"

// frame is the wire shape of a topic event.
type frame struct {
	Type  string  `json:"type"`
	Topic string  `json:"topic,omitempty"`
	TS    float64 `json:"ts"`
	Data  any     `json:"data,omitempty"`
}

// Encode returns e as the JSON text frame subscribers receive: {"type",
// "topic", "ts" (Unix seconds), "data"}. A zero TS is now.
func Encode(e catalog.Event, now time.Time) ([]byte, error) {
	ts := e.TS
	if ts.IsZero() {
		ts = now
	}
	return json.Marshal(frame{Type: e.Type, Topic: e.Topic, TS: float64(ts.UnixMicro()) / 1e6, Data: e.Data})
}
