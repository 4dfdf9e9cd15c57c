package community

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Folder selects the messages of a listing.
type Folder string

// The folders of GET /api/messages.
const (
	FolderInbox Folder = "inbox"
	FolderSent  Folder = "sent"
	FolderAll   Folder = "all"
)

// Direction tells the viewer whether they sent or received a message.
const (
	DirectionSent     = "sent"
	DirectionReceived = "received"
)

// Message is one private message as its sender or recipient sees it.
type Message struct {
	ID           int64     `json:"id"`
	SenderID     int64     `json:"sender_id"`
	RecipientID  int64     `json:"recipient_id"`
	FromUsername string    `json:"from_username"`
	ToUsername   string    `json:"to_username"`
	ListingID    *int64    `json:"listing_id"`
	Subject      string    `json:"subject"`
	Body         string    `json:"body"`
	IsRead       bool      `json:"is_read"`
	IsSystem     bool      `json:"is_system"`
	ParentID     *int64    `json:"parent_id"`
	CreatedAt    time.Time `json:"created_at"`
	// Direction is "sent" or "received", for the viewer.
	Direction string `json:"direction"`
	// SenderDeleted and RecipientDeleted hide the message for one side.
	SenderDeleted    bool `json:"-"`
	RecipientDeleted bool `json:"-"`
}

// visibleTo reports whether user may see m (a party who has not hidden it).
func (m Message) visibleTo(user int64) bool {
	return (m.SenderID == user && !m.SenderDeleted) || (m.RecipientID == user && !m.RecipientDeleted)
}

// viewedBy sets Direction for user.
func (m Message) viewedBy(user int64) Message {
	m.Direction = DirectionReceived
	if m.SenderID == user {
		m.Direction = DirectionSent
	}
	return m
}

// NewMessage is POST /api/messages.
type NewMessage struct {
	To        string
	Subject   string
	Body      string
	ListingID *int64
	ParentID  *int64
}

// MessageRow is a validated message to store.
type MessageRow struct {
	SenderID    int64
	RecipientID int64
	ListingID   *int64
	ParentID    *int64
	Subject     string
	Body        string
	CreatedAt   time.Time
}

// MessageQuery selects a user's messages.
type MessageQuery struct {
	UserID    int64
	Folder    Folder
	ListingID *int64
	Limit     int
	Offset    int
}

// ConversationQuery selects the messages grouped into threads.
type ConversationQuery struct {
	UserID    int64
	ListingID *int64
	// With narrows to the conversation with one member.
	With *int64
	// Limit bounds how many recent messages are read.
	Limit int
}

// MessageStore keeps private messages.
type MessageStore interface {
	// InsertMessage stores m unless the recipient blocks the sender
	// (EFORBIDDEN), in one statement.
	InsertMessage(ctx context.Context, m MessageRow) (Message, error)
	// Message returns one message whoever its parties are (ENOTFOUND).
	Message(ctx context.Context, id int64) (Message, error)
	// Messages lists q's messages newest first, without hidden ones.
	Messages(ctx context.Context, q MessageQuery) ([]Message, error)
	// UnreadCount counts the unread, not hidden messages userID received.
	UnreadCount(ctx context.Context, userID int64) (int64, error)
	// Conversation returns q's most recent messages, oldest first.
	Conversation(ctx context.Context, q ConversationQuery) ([]Message, error)
	// MarkRead marks read the messages q.UserID received in q's scope
	// (listing, member) and returns how many changed.
	MarkRead(ctx context.Context, q ConversationQuery) (int64, error)
	// MarkMessageRead marks one received message read.
	MarkMessageRead(ctx context.Context, id, recipientID int64) error
	// HideMessage hides a message for userID (their side only).
	HideMessage(ctx context.Context, id, userID int64) error
}

// MessageList is the answer of GET /api/messages.
type MessageList struct {
	Items       []Message `json:"items"`
	Messages    []Message `json:"messages"`
	UnreadCount int64     `json:"unread_count"`
	Folder      Folder    `json:"folder"`
}

// SendMessage sends a private message from actor: validation (422), an
// unknown recipient (404), yourself (400), a blocked sender (403), an
// unknown listing or parent (404). The recipient gets a new_message
// notification and a notification frame on user:<id>.
func (s *Service) SendMessage(ctx context.Context, actor Actor, in NewMessage) (Message, error) {
	var f fields
	if strings.TrimSpace(in.To) == "" {
		f.missing("to_username")
	}
	f.text("body", in.Body, true, MaxMessageBody)
	f.text("subject", in.Subject, false, MaxMessageSubject)
	f.positive("listing_id", in.ListingID)
	f.positive("parent_id", in.ParentID)
	if err := f.err(); err != nil {
		return Message{}, err
	}
	to, err := s.member(ctx, in.To)
	if err != nil {
		return Message{}, err
	}
	if to.ID == actor.ID {
		return Message{}, catalog.Errorf(catalog.EINVALID, "You cannot message yourself")
	}
	row := MessageRow{SenderID: actor.ID, RecipientID: to.ID, ListingID: in.ListingID, ParentID: in.ParentID,
		Subject: strings.TrimSpace(in.Subject), Body: strings.TrimSpace(in.Body), CreatedAt: s.now().UTC()}
	if in.ParentID != nil {
		parent, err := s.store.Message(ctx, *in.ParentID)
		if catalog.ErrorCode(err) == catalog.ENOTFOUND || (err == nil && !parent.visibleTo(actor.ID)) {
			return Message{}, catalog.Errorf(catalog.ENOTFOUND, "Parent message not found")
		}
		if err != nil {
			return Message{}, fmt.Errorf("send message: parent: %w", err)
		}
		if parent.SenderID != to.ID && parent.RecipientID != to.ID {
			return Message{}, catalog.Errorf(catalog.EINVALID, "The parent message is not between you and %s", to.Username)
		}
		if row.Subject == "" && parent.Subject != "" {
			row.Subject = excerpt(replySubject(parent.Subject), MaxMessageSubject)
		}
		if row.ListingID == nil {
			row.ListingID = parent.ListingID
		}
	}
	if in.ListingID != nil {
		ok, err := s.listingExists(ctx, *in.ListingID)
		if err != nil {
			return Message{}, fmt.Errorf("send message: listing: %w", err)
		}
		if !ok {
			return Message{}, catalog.Errorf(catalog.ENOTFOUND, "Listing not found")
		}
	}
	m, err := s.store.InsertMessage(ctx, row)
	if err != nil {
		return Message{}, fmt.Errorf("send message: %w", err)
	}
	s.messageNotification(ctx, m)
	return m.viewedBy(actor.ID), nil
}

// replySubject prefixes "Re: " once.
func replySubject(s string) string {
	if strings.HasPrefix(strings.ToLower(s), "re:") {
		return s
	}
	return "Re: " + s
}

// messageNotification records the recipient's new_message entry and
// pushes it on user:<id>; both are best effort.
func (s *Service) messageNotification(ctx context.Context, m Message) {
	n := Notification{
		UserID: m.RecipientID, Kind: KindNewMessage,
		Title: "Message from " + m.FromUsername, Body: excerpt(m.Body, 200),
		URL:  "/api/messages/threads?with=" + m.FromUsername,
		Data: map[string]any{"message_id": m.ID, "from_username": m.FromUsername, "listing_id": m.ListingID},
	}
	if s.notify != nil {
		if err := s.notify.Notify(ctx, n); err != nil {
			s.log.WarnContext(ctx, "community: notification not recorded", "message_id", m.ID, "err", err)
		}
	}
	s.publish(ctx, catalog.Event{Type: catalog.FrameNotification, Topic: catalog.UserTopic(m.RecipientID), TS: m.CreatedAt,
		Data: NotificationFrame{Kind: string(n.Kind), Title: n.Title, Body: n.Body, URL: n.URL, Data: n.Data}})
}

// NotificationFrame is the data of a notification frame on user:<id>.
type NotificationFrame struct {
	Kind  string         `json:"kind"`
	Title string         `json:"title"`
	Body  string         `json:"body"`
	URL   string         `json:"url"`
	Data  map[string]any `json:"data,omitempty"`
}

// ListMessages lists actor's folder (limit 1–100).
func (s *Service) ListMessages(ctx context.Context, actor Actor, q MessageQuery) (MessageList, error) {
	q.UserID = actor.ID
	if q.Folder == "" {
		q.Folder = FolderInbox
	}
	if q.Limit <= 0 || q.Limit > MaxListLimit {
		q.Limit = 50
	}
	ms, err := s.store.Messages(ctx, q)
	if err != nil {
		return MessageList{}, fmt.Errorf("list messages: %w", err)
	}
	unread, err := s.store.UnreadCount(ctx, actor.ID)
	if err != nil {
		return MessageList{}, fmt.Errorf("list messages: unread: %w", err)
	}
	for i := range ms {
		ms[i] = ms[i].viewedBy(actor.ID)
	}
	if ms == nil {
		ms = []Message{}
	}
	return MessageList{Items: ms, Messages: ms, UnreadCount: unread, Folder: q.Folder}, nil
}

// GetMessage returns one of actor's messages, marking it read when actor
// received it; anyone else's is ENOTFOUND.
func (s *Service) GetMessage(ctx context.Context, actor Actor, id int64) (Message, error) {
	m, err := s.store.Message(ctx, id)
	if err != nil {
		return Message{}, err
	}
	if !m.visibleTo(actor.ID) {
		return Message{}, catalog.Errorf(catalog.ENOTFOUND, "Message not found")
	}
	if m.RecipientID == actor.ID && !m.IsRead {
		if err := s.store.MarkMessageRead(ctx, id, actor.ID); err != nil {
			return Message{}, fmt.Errorf("get message: mark read: %w", err)
		}
		m.IsRead = true
	}
	return m.viewedBy(actor.ID), nil
}

// DeleteMessage hides one of actor's messages for actor.
func (s *Service) DeleteMessage(ctx context.Context, actor Actor, id int64) error {
	m, err := s.store.Message(ctx, id)
	if err != nil {
		return err
	}
	if !m.visibleTo(actor.ID) {
		return catalog.Errorf(catalog.ENOTFOUND, "Message not found")
	}
	return s.store.HideMessage(ctx, id, actor.ID)
}

// MessageThread is one conversation: the messages between the viewer and
// one member, about one listing (or none).
type MessageThread struct {
	WithUserID   int64     `json:"with_user_id"`
	WithUsername string    `json:"with_username"`
	ListingID    *int64    `json:"listing_id"`
	Subject      string    `json:"subject"`
	LastMessage  Message   `json:"last_message"`
	LastAt       time.Time `json:"last_at"`
	MessageCount int       `json:"message_count"`
	// UnreadCount is what was unread before this call marked it read.
	UnreadCount int       `json:"unread_count"`
	Messages    []Message `json:"messages"`
}

// ThreadList is the answer of GET /api/messages/threads.
type ThreadList struct {
	Items   []MessageThread `json:"items"`
	Threads []MessageThread `json:"threads"`
	// UnreadCount is what stays unread after this call.
	UnreadCount int64 `json:"unread_count"`
}

// ThreadQuery narrows GET /api/messages/threads.
type ThreadQuery struct {
	ListingID *int64
	// With is a username: only the conversation with that member.
	With string
	// Limit bounds the messages read (default and max 500).
	Limit int
}

// maxThreadMessages bounds the messages one threads call reads.
const maxThreadMessages = 500

// MessageThreads groups actor's recent messages into conversations, newest first
// (WhatsApp style), and marks the received ones read.
func (s *Service) MessageThreads(ctx context.Context, actor Actor, tq ThreadQuery) (ThreadList, error) {
	q := ConversationQuery{UserID: actor.ID, ListingID: tq.ListingID, Limit: tq.Limit}
	if q.Limit <= 0 || q.Limit > maxThreadMessages {
		q.Limit = maxThreadMessages
	}
	if tq.With != "" {
		m, err := s.member(ctx, tq.With)
		if err != nil {
			return ThreadList{}, err
		}
		q.With = &m.ID
	}
	ms, err := s.store.Conversation(ctx, q)
	if err != nil {
		return ThreadList{}, fmt.Errorf("threads: %w", err)
	}
	if _, err := s.store.MarkRead(ctx, q); err != nil {
		return ThreadList{}, fmt.Errorf("threads: mark read: %w", err)
	}
	unread, err := s.store.UnreadCount(ctx, actor.ID)
	if err != nil {
		return ThreadList{}, fmt.Errorf("threads: unread: %w", err)
	}
	threads := groupThreads(actor.ID, ms)
	return ThreadList{Items: threads, Threads: threads, UnreadCount: unread}, nil
}

// groupThreads groups oldest-first messages by (other member, listing).
func groupThreads(user int64, ms []Message) []MessageThread {
	idx := map[string]int{}
	var out []MessageThread
	for _, m := range ms {
		m = m.viewedBy(user)
		other, otherName := m.RecipientID, m.ToUsername
		if m.Direction == DirectionReceived {
			other, otherName = m.SenderID, m.FromUsername
		}
		key := strconv.FormatInt(other, 10) + "/"
		if m.ListingID != nil {
			key += strconv.FormatInt(*m.ListingID, 10)
		}
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, MessageThread{WithUserID: other, WithUsername: otherName, ListingID: m.ListingID, Subject: m.Subject})
		}
		t := &out[i]
		if m.Direction == DirectionReceived && !m.IsRead {
			t.UnreadCount++
			m.IsRead = true // read now
		}
		t.Messages = append(t.Messages, m)
		t.MessageCount++
		t.LastMessage, t.LastAt = m, m.CreatedAt
	}
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].LastAt.Equal(out[b].LastAt) {
			return out[a].LastAt.After(out[b].LastAt)
		}
		return out[a].LastMessage.ID > out[b].LastMessage.ID
	})
	if out == nil {
		out = []MessageThread{}
	}
	return out
}
