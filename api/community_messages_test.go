package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
)

type messageJSON struct {
	ID           int64  `json:"id"`
	SenderID     int64  `json:"sender_id"`
	RecipientID  int64  `json:"recipient_id"`
	FromUsername string `json:"from_username"`
	ToUsername   string `json:"to_username"`
	ListingID    *int64 `json:"listing_id"`
	Subject      string `json:"subject"`
	Body         string `json:"body"`
	IsRead       bool   `json:"is_read"`
	IsSystem     bool   `json:"is_system"`
	ParentID     *int64 `json:"parent_id"`
	CreatedAt    string `json:"created_at"`
	Direction    string `json:"direction"`
}

type messageListJSON struct {
	Items       []messageJSON `json:"items"`
	Messages    []messageJSON `json:"messages"`
	UnreadCount int64         `json:"unread_count"`
	Folder      string        `json:"folder"`
}

// TestMessagesToWebSocket: a message over HTTP reaches the recipient's
// feed and their user:<id> WebSocket topic through Redis.
func TestMessagesToWebSocket(t *testing.T) {
	t.Parallel()
	f := setupCommunity(t)
	alice, _, aliceName := f.member("alice")
	bob, bobID, bobName := f.member("bob")

	ws := f.dial(f.url, "/ws/v1", "Cookie", api.SessionCookie+"="+bob.sessionCookie())
	ws.expect("welcome")
	ws.send(map[string]any{"type": "subscribe", "topic": catalog.UserTopic(bobID)})
	ws.expect("subscribed", catalog.UserTopic(bobID))

	r := alice.do(http.MethodPost, "/api/messages", map[string]any{"to": bobName, "body": "Example message body", "subject": "Hi"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var m messageJSON
	r.json(&m)
	require.Equal(t, aliceName, m.FromUsername)
	require.Equal(t, "sent", m.Direction)

	fr := ws.expect("notification", catalog.UserTopic(bobID))
	require.Equal(t, "new_message", fr.data()["kind"])
	require.Equal(t, "Message from "+aliceName, fr.data()["title"])
	require.Equal(t, "Example message body", fr.data()["body"])
	require.Equal(t, float64(m.ID), fr.data()["data"].(map[string]any)["message_id"])

	feed := f.feed.all()
	require.Len(t, feed, 1)
	require.Equal(t, bobID, feed[0].UserID)
	require.Equal(t, "new_message", string(feed[0].Kind))
}

func TestMessagesAPI(t *testing.T) {
	t.Parallel()
	f := setupCommunity(t)
	alice, _, aliceName := f.member("alice")
	bob, _, bobName := f.member("bob")
	carol, _, _ := f.member("carol")

	// the three spellings of the recipient
	for _, field := range []string{"to_username", "to", "recipient_username"} {
		r := alice.do(http.MethodPost, "/api/messages", map[string]any{field: bobName, "body": "via " + field})
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", field, r.body)
	}
	// bad input: 4xx, nothing written
	bad := []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"body": "no recipient"}, http.StatusUnprocessableEntity},
		{map[string]any{"to": bobName}, http.StatusUnprocessableEntity},
		{map[string]any{"to": bobName, "body": strings.Repeat("x", 5001)}, http.StatusUnprocessableEntity},
		{map[string]any{"to": bobName, "body": "x", "subject": strings.Repeat("s", 201)}, http.StatusUnprocessableEntity},
		{map[string]any{"to": bobName, "body": 12}, http.StatusBadRequest},
		{map[string]any{"to": bobName, "body": "x", "listing_id": "abc"}, http.StatusBadRequest},
		{map[string]any{"to": bobName, "body": "x", "listing_id": 0}, http.StatusUnprocessableEntity},
		{map[string]any{"to": bobName, "body": "x", "listing_id": 99}, http.StatusNotFound},
		{map[string]any{"to": bobName, "body": "x", "parent_id": 999999}, http.StatusNotFound},
		{map[string]any{"to": "nobody-here", "body": "x"}, http.StatusNotFound},
		{map[string]any{"to": aliceName, "body": "x"}, http.StatusBadRequest},
	}
	for _, b := range bad {
		r := alice.do(http.MethodPost, "/api/messages", b.body)
		require.Equal(t, b.status, r.status, "%v: %s", b.body, r.body)
		require.NotEmpty(t, r.detail())
	}
	r := alice.do(http.MethodPost, "/api/messages", nil, "Content-Type", "application/json")
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = f.anon().do(http.MethodPost, "/api/messages", map[string]any{"to": bobName, "body": "x"})
	require.Equal(t, http.StatusUnauthorized, r.status)

	var inbox messageListJSON
	r = bob.do(http.MethodGet, "/api/messages", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&inbox)
	require.Equal(t, "inbox", inbox.Folder)
	require.Len(t, inbox.Items, 3, "only the three good messages were written")
	require.Equal(t, inbox.Items, inbox.Messages)
	require.Equal(t, int64(3), inbox.UnreadCount)
	require.Equal(t, "via recipient_username", inbox.Items[0].Body)
	require.Equal(t, "received", inbox.Items[0].Direction)

	r = bob.do(http.MethodGet, "/api/messages?folder=sent", nil)
	r.json(&inbox)
	require.Empty(t, inbox.Items)
	require.NotNil(t, inbox.Items)
	for _, q := range []string{"folder=trash", "limit=101", "limit=0", "listing_id=x", "offset=-1"} {
		r = bob.do(http.MethodGet, "/api/messages?"+q, nil)
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s: %s", q, r.body)
	}
	r = bob.do(http.MethodGet, "/api/messages?folder=all&limit=2", nil)
	r.json(&inbox)
	require.Len(t, inbox.Items, 2)

	// a reply threads onto the first message
	first := inbox.Items[1]
	r = bob.do(http.MethodPost, "/api/messages", map[string]any{"to_username": aliceName, "body": "reply", "parent_id": first.ID})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var reply messageJSON
	r.json(&reply)
	require.Equal(t, first.ID, *reply.ParentID)

	// other users' messages are invisible
	r = carol.do(http.MethodGet, "/api/messages/"+strconv.FormatInt(first.ID, 10), nil)
	require.Equal(t, http.StatusNotFound, r.status)
	r = carol.do(http.MethodDelete, "/api/messages/"+strconv.FormatInt(first.ID, 10), nil)
	require.Equal(t, http.StatusNotFound, r.status)
	r = carol.do(http.MethodPost, "/api/messages", map[string]any{"to": bobName, "body": "x", "parent_id": first.ID})
	require.Equal(t, http.StatusNotFound, r.status)
	r = carol.do(http.MethodGet, "/api/messages?folder=all", nil)
	r.json(&inbox)
	require.Empty(t, inbox.Items)
	r = carol.do(http.MethodGet, "/api/messages/abc", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)

	// threads: one conversation, marks bob's received messages read
	var threads struct {
		Items []struct {
			WithUsername string        `json:"with_username"`
			MessageCount int           `json:"message_count"`
			UnreadCount  int           `json:"unread_count"`
			Messages     []messageJSON `json:"messages"`
		} `json:"items"`
		Threads     []any `json:"threads"`
		UnreadCount int64 `json:"unread_count"`
	}
	r = bob.do(http.MethodGet, "/api/messages/threads", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&threads)
	require.Len(t, threads.Items, 1)
	require.Len(t, threads.Threads, 1)
	require.Equal(t, aliceName, threads.Items[0].WithUsername)
	require.Equal(t, 4, threads.Items[0].MessageCount)
	require.Equal(t, 3, threads.Items[0].UnreadCount)
	require.Equal(t, int64(0), threads.UnreadCount)
	r = bob.do(http.MethodGet, "/api/messages", nil)
	r.json(&inbox)
	require.Equal(t, int64(0), inbox.UnreadCount)
	r = bob.do(http.MethodGet, "/api/messages/threads?listing_id=42", nil)
	r.json(&threads)
	require.Empty(t, threads.Items)
	r = bob.do(http.MethodGet, "/api/messages/threads?with=nobody-here", nil)
	require.Equal(t, http.StatusNotFound, r.status)

	// blocks: bob blocks alice, her messages are refused
	r = bob.do(http.MethodPost, "/api/blocks", map[string]any{"username": aliceName})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	r = bob.do(http.MethodPost, "/api/blocks", map[string]any{"username": aliceName})
	require.Equal(t, http.StatusOK, r.status, "blocking twice is a no-op")
	r = alice.do(http.MethodPost, "/api/messages", map[string]any{"to": bobName, "body": "let me in"})
	require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
	var blocks struct {
		Items []struct {
			Username string `json:"username"`
		} `json:"items"`
	}
	r = bob.do(http.MethodGet, "/api/blocks", nil)
	r.json(&blocks)
	require.Len(t, blocks.Items, 1)
	require.Equal(t, aliceName, blocks.Items[0].Username)
	for _, b := range []map[string]any{{"username": bobName}, {"username": "nobody-here"}, {}} {
		r = bob.do(http.MethodPost, "/api/blocks", b)
		require.Contains(t, []int{400, 404, 422}, r.status, "%v", b)
	}
	r = bob.do(http.MethodDelete, "/api/blocks/"+aliceName, nil)
	require.Equal(t, http.StatusNoContent, r.status)
	r = bob.do(http.MethodDelete, "/api/blocks/"+aliceName, nil)
	require.Equal(t, http.StatusNotFound, r.status)
	r = alice.do(http.MethodPost, "/api/messages", map[string]any{"to": bobName, "body": "thanks"})
	require.Equal(t, http.StatusCreated, r.status)

	// deleting hides a message for its deleter only
	r = bob.do(http.MethodDelete, "/api/messages/"+strconv.FormatInt(first.ID, 10), nil)
	require.Equal(t, http.StatusNoContent, r.status)
	r = bob.do(http.MethodGet, "/api/messages/"+strconv.FormatInt(first.ID, 10), nil)
	require.Equal(t, http.StatusNotFound, r.status)
	r = alice.do(http.MethodGet, "/api/messages/"+strconv.FormatInt(first.ID, 10), nil)
	require.Equal(t, http.StatusOK, r.status)
}
