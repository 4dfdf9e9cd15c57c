package catalog

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Server → client frame types of the real-time API (the seed's "Event-frame
// catalogue").
const (
	FrameWelcome         = "welcome"
	FrameSubscribed      = "subscribed"
	FrameUnsubscribed    = "unsubscribed"
	FramePriceUpdate     = "price_update"
	FrameMovers          = "movers"
	FrameListingNew      = "listing_new"
	FrameNotification    = "notification"
	FramePricesRefreshed = "prices_refreshed"
	FrameScanResult      = "scan_result"
	FramePing            = "ping"
	FramePong            = "pong"
	FrameError           = "error"
)

// Limits of one real-time connection (the seed's "Limits").
const (
	// StreamMaxTopics is how many topics one connection may hold.
	StreamMaxTopics = 50
	// StreamMaxConns is how many connections one API key (or, anonymous,
	// one IP) may hold at once, across every API process.
	StreamMaxConns = 20
	// StreamMaxMessages client messages are allowed per StreamMessageWindow;
	// the excess gets an error frame and the connection stays open.
	StreamMaxMessages   = 30
	StreamMessageWindow = 10 * time.Second
	// StreamHeartbeat is the interval of the server's ping frames.
	StreamHeartbeat = 25 * time.Second
)

// WebSocket close codes of the real-time API.
const (
	CloseAPIKeyRequired = 4401 // /api/v1/stream without an API key
	CloseTierTooLow     = 4403 // /api/v1/stream below Pro
	CloseTryAgainLater  = 1013 // too many connections for the key or IP
)

// PublicTopicPrefixes are the topic families anyone may subscribe to, as the
// welcome frame lists them.
var PublicTopicPrefixes = []string{"card:", "set:", "tcg:", "market:", "marketplace:"}

// The fixed topics.
const (
	TopicMarketMovers   = "market:movers"
	TopicMarketplaceNew = "marketplace:new"
)

// TopicKind classifies a topic by who may subscribe to it.
type TopicKind int

const (
	// TopicPublic may be subscribed anonymously.
	TopicPublic TopicKind = iota
	// TopicUser (user:<id>) is its owner's only; ID carries the user id.
	TopicUser
	// TopicScan (scan:<session>) needs an authenticated caller.
	TopicScan
)

// Topic is a parsed, valid topic name.
type Topic struct {
	Name string
	Kind TopicKind
	// UserID is the owner of a user:<id> topic.
	UserID int64
	// Session is the scan session of a scan:<session> topic.
	Session string
}

var (
	slugRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	sessionRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// ParseTopic validates a topic name: card:<id>, set:<id>, tcg:<slug>,
// market:movers, marketplace:new, user:<id> or scan:<session>. Anything else
// is an EINVALID error whose message is safe to send in an error frame.
func ParseTopic(name string) (Topic, error) {
	kind, rest, ok := strings.Cut(name, ":")
	bad := Errorf(EINVALID, "Unknown topic")
	if !ok {
		return Topic{}, bad
	}
	t := Topic{Name: name}
	switch kind {
	case "card", "set":
		if !positiveID(rest) {
			return Topic{}, bad
		}
	case "tcg":
		if !slugRE.MatchString(rest) {
			return Topic{}, bad
		}
	case "market", "marketplace":
		if name != TopicMarketMovers && name != TopicMarketplaceNew {
			return Topic{}, bad
		}
	case "user":
		if !positiveID(rest) {
			return Topic{}, bad
		}
		t.Kind = TopicUser
		t.UserID, _ = strconv.ParseInt(rest, 10, 64)
	case "scan":
		if !sessionRE.MatchString(rest) {
			return Topic{}, bad
		}
		t.Kind, t.Session = TopicScan, rest
	default:
		return Topic{}, bad
	}
	return t, nil
}

func positiveID(s string) bool {
	if s == "" || len(s) > 19 || s[0] == '0' {
		return false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0
}

// Topic names of the price and scan families.
func CardTopic(id int64) string       { return "card:" + strconv.FormatInt(id, 10) }
func SetTopic(id int64) string        { return "set:" + strconv.FormatInt(id, 10) }
func TCGTopic(slug string) string     { return "tcg:" + slug }
func UserTopic(id int64) string       { return "user:" + strconv.FormatInt(id, 10) }
func ScanTopic(session string) string { return "scan:" + session }

// Event is one server → client frame bound for a topic's subscribers.
// Data is marshalled as the frame's "data" member.
type Event struct {
	Type  string
	Topic string
	// TS is when the event happened; zero = when it is published.
	TS   time.Time
	Data any
}

// PriceUpdate is the data of a price_update frame. SetID and TCG are set on
// every frame (the set and tcg topics carry the same data).
type PriceUpdate struct {
	CardID      int64   `json:"card_id"`
	SetID       int64   `json:"set_id,omitempty"`
	TCG         string  `json:"tcg,omitempty"`
	Source      string  `json:"source"`
	Variant     string  `json:"variant"`
	MarketPrice float64 `json:"market_price"`
	Currency    string  `json:"currency"`
	AsOf        string  `json:"as_of,omitempty"`
}

// PriceEvents are the price_update events of one new price point: one for
// each of its card, set and TCG topics.
func PriceEvents(u PriceUpdate, ts time.Time) []Event {
	out := []Event{{Type: FramePriceUpdate, Topic: CardTopic(u.CardID), TS: ts, Data: u}}
	if u.SetID != 0 {
		out = append(out, Event{Type: FramePriceUpdate, Topic: SetTopic(u.SetID), TS: ts, Data: u})
	}
	if u.TCG != "" {
		out = append(out, Event{Type: FramePriceUpdate, Topic: TCGTopic(u.TCG), TS: ts, Data: u})
	}
	return out
}

// EventPublisher sends events to every subscriber of their topics, in every
// API process. Publishing is best effort: an error is logged by the caller
// and never fails the write that produced the event.
type EventPublisher interface {
	Publish(ctx context.Context, events ...Event) error
}

// StreamSink receives the encoded frames of the topics it subscribed to.
// Deliver must not block: it returns false when the sink's buffer is full,
// and the hub then drops the sink (a slow consumer).
type StreamSink interface {
	Deliver(frame []byte) bool
	// Drop is called (once, asynchronously) when the hub gives up on the
	// sink: it was too slow, or the hub is closing.
	Drop(reason string)
}

// StreamHub relays published events to this process's subscribed sinks.
type StreamHub interface {
	// Subscribe adds sink to topic's subscribers.
	Subscribe(ctx context.Context, sink StreamSink, topic string) error
	// Unsubscribe removes sink from topic; UnsubscribeAll from every topic.
	Unsubscribe(sink StreamSink, topic string)
	UnsubscribeAll(sink StreamSink)
}

// ConnRef names one counted connection.
type ConnRef struct{ Bucket, ID string }

// ConnLimiter counts open real-time connections per bucket ("key:17",
// "ip:10.0.0.1") in storage shared by every API process. A process that
// dies without releasing its connections has them expire after a few
// heartbeats.
type ConnLimiter interface {
	// Acquire registers connection id under bucket; false when the bucket
	// already holds limit connections.
	Acquire(ctx context.Context, bucket, id string, limit int) (bool, error)
	// Refresh keeps id alive (called every heartbeat).
	Refresh(ctx context.Context, bucket, id string) error
	// RefreshMany is Refresh for many connections in one round trip.
	RefreshMany(ctx context.Context, conns []ConnRef) error
	// Release removes id.
	Release(ctx context.Context, bucket, id string) error
}
