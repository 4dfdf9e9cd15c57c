package api

import (
	"testing"

	"github.com/collectorstash/csm/catalog"
)

// FuzzParseClientMsg: any input parses or fails with an EINVALID error;
// subscribe messages always carry at least one topic and no duplicates,
// and ParseTopic never panics on them.
func FuzzParseClientMsg(f *testing.F) {
	for _, s := range []string{
		`{"type":"subscribe","topic":"card:267"}`,
		`{"type":"subscribe","topics":["card:267","set:42","card:267"]}`,
		`{"type":"unsubscribe","topic":"card:267","topics":null}`,
		`{"type":"ping"}`, `{"type":"pong"}`, `{"type":"auth","token":"csm_live_x"}`,
		`{"type":"subscribe","topic":7}`, `{"type":"auth"}`, `[]`, `{`, `{"type":""}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := parseClientMsg(raw)
		if err != nil {
			if catalog.ErrorCode(err) != catalog.EINVALID {
				t.Fatalf("error code %q", catalog.ErrorCode(err))
			}
			return
		}
		switch m.Type {
		case msgSubscribe, msgUnsubscribe:
			if len(m.Topics) == 0 {
				t.Fatal("no topics")
			}
			seen := map[string]bool{}
			for _, tp := range m.Topics {
				if seen[tp] {
					t.Fatalf("duplicate %q", tp)
				}
				seen[tp] = true
				if top, err := catalog.ParseTopic(tp); err == nil && top.Name != tp {
					t.Fatalf("topic %q parsed as %q", tp, top.Name)
				}
			}
		case msgAuth:
			if m.Token == "" {
				t.Fatal("empty token")
			}
		case msgPing, msgPong:
		default:
			t.Fatalf("type %q accepted", m.Type)
		}
	})
}
