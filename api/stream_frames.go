package api

import (
	"encoding/json"
	"strings"

	"github.com/collectorstash/csm/catalog"
)

// Client → server message types of the real-time API.
const (
	msgSubscribe   = "subscribe"
	msgUnsubscribe = "unsubscribe"
	msgPing        = "ping"
	msgPong        = "pong"
	msgAuth        = "auth"
)

// clientMsg is one parsed client message.
type clientMsg struct {
	Type string
	// Topics of subscribe / unsubscribe ("topic" and "topics" merged, in
	// order, without duplicates).
	Topics []string
	// Token of auth.
	Token string
}

// maxClientMsg bounds a client message (bigger ones close the socket with
// 1009); a full 50-topic subscribe fits easily.
const maxClientMsg = 8 << 10

// parseClientMsg decodes a client frame. Errors are EINVALID with a message
// fit for an error frame; they never close the connection.
func parseClientMsg(raw []byte) (clientMsg, error) {
	var in struct {
		Type   string          `json:"type"`
		Topic  json.RawMessage `json:"topic"`
		Topics json.RawMessage `json:"topics"`
		Token  string          `json:"token"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return clientMsg{}, catalog.Errorf(catalog.EINVALID, "Invalid JSON message")
	}
	m := clientMsg{Type: in.Type}
	switch in.Type {
	case msgPing, msgPong:
	case msgAuth:
		m.Token = strings.TrimSpace(in.Token)
		if m.Token == "" {
			return clientMsg{}, catalog.Errorf(catalog.EINVALID, "auth needs a token")
		}
	case msgSubscribe, msgUnsubscribe:
		seen := map[string]bool{}
		add := func(t string) {
			if !seen[t] {
				seen[t] = true
				m.Topics = append(m.Topics, t)
			}
		}
		if len(in.Topic) > 0 && string(in.Topic) != "null" {
			var t string
			if err := json.Unmarshal(in.Topic, &t); err != nil {
				return clientMsg{}, catalog.Errorf(catalog.EINVALID, "topic must be a string")
			}
			add(t)
		}
		if len(in.Topics) > 0 && string(in.Topics) != "null" {
			var ts []string
			if err := json.Unmarshal(in.Topics, &ts); err != nil {
				return clientMsg{}, catalog.Errorf(catalog.EINVALID, "topics must be an array of strings")
			}
			for _, t := range ts {
				add(t)
			}
		}
		if len(m.Topics) == 0 {
			return clientMsg{}, catalog.Errorf(catalog.EINVALID, "%s needs a topic or topics", in.Type)
		}
	case "":
		return clientMsg{}, catalog.Errorf(catalog.EINVALID, "Message type missing")
	default:
		return clientMsg{}, catalog.Errorf(catalog.EINVALID, "Unknown message type")
	}
	return m, nil
}

// welcomeFrame is the first frame of a connection (and the reply to a
// successful late auth).
type welcomeFrame struct {
	Type          string   `json:"type"`
	ConnID        string   `json:"conn_id"`
	Authenticated bool     `json:"authenticated"`
	UserID        *int64   `json:"user_id"`
	Tier          *string  `json:"tier"`
	HeartbeatSecs float64  `json:"heartbeat_secs"`
	PublicTopics  []string `json:"public_topics"`
}

// ackFrame is subscribed / unsubscribed / ping / pong.
type ackFrame struct {
	Type  string `json:"type"`
	Topic string `json:"topic,omitempty"`
}

// errorFrame is {"type":"error","error":…,"topic":…}.
type errorFrame struct {
	Type  string `json:"type"`
	Error string `json:"error"`
	Topic string `json:"topic,omitempty"`
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

var (
	pingFrame = mustJSON(ackFrame{Type: catalog.FramePing})
	pongFrame = mustJSON(ackFrame{Type: catalog.FramePong})
)
