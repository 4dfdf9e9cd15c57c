// Package notify is the notification feed of every capability and its
// delivery. Other services record a notification with Service.Notify; the
// feed (list, per-kind unread counters, mark read) is read through the
// same service. Every new notification is published as a "notification"
// frame on the owner's user:<id> topic, e-mailed when the owner opted in,
// and handed to the push Sender (the device registry) when one is set.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Kind is a notification's type; the unread counters are per kind.
type Kind string

// The kinds the platform records (the seed's "Notifications": alert
// triggers, messages, bid events, listing-status changes, order updates).
const (
	KindAlertTriggered Kind = "alert_triggered"
	KindWishlistPrice  Kind = "wishlist_price"
	KindNewMessage     Kind = "new_message"
	KindBidReceived    Kind = "bid_received"
	KindBidAccepted    Kind = "bid_accepted"
	KindBidRejected    Kind = "bid_rejected"
	KindListingStatus  Kind = "listing_status"
	KindOrderUpdate    Kind = "order_update"
)

// Kinds lists the known kinds (the ?kind= filter accepts these).
var Kinds = []Kind{KindAlertTriggered, KindWishlistPrice, KindNewMessage, KindBidReceived,
	KindBidAccepted, KindBidRejected, KindListingStatus, KindOrderUpdate}

// ValidKind reports whether k is a known kind.
func ValidKind(k Kind) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Notification is one feed item.
type Notification struct {
	ID        int64           `json:"id"`
	UserID    int64           `json:"-"`
	Kind      Kind            `json:"kind"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	URL       string          `json:"url"`
	Data      json.RawMessage `json:"data"`
	IsRead    bool            `json:"is_read"`
	CreatedAt time.Time       `json:"created_at"`
}

// Payload is what a caller of Notify says: a short title, a body line, a
// link into the site and the kind's data (any JSON-encodable value).
type Payload struct {
	Title string
	Body  string
	URL   string
	Data  any
}

// Limits of a notification's text.
const (
	MaxTitle = 200
	MaxBody  = 2000
	MaxPage  = 200
)

// ListQuery pages the feed, newest first.
type ListQuery struct {
	Limit, Offset int
	Kind          Kind // "" = every kind
	UnreadOnly    bool
}

// Settings are a user's delivery choices. E-mail is opt-in.
type Settings struct {
	EmailEnabled bool `json:"email_enabled"`
}

// Store keeps the feed. Every method scoped by userID acts only on that
// user's rows (another user's notification is ENOTFOUND).
type Store interface {
	InsertNotification(ctx context.Context, n Notification) (Notification, error)
	Notifications(ctx context.Context, userID int64, q ListQuery) ([]Notification, int, error)
	UnreadCounts(ctx context.Context, userID int64) (map[Kind]int, error)
	MarkNotificationRead(ctx context.Context, userID, id int64) error
	MarkNotificationsRead(ctx context.Context, userID int64, kind Kind) (int64, error)
	NotificationSettings(ctx context.Context, userID int64) (Settings, error)
	SetNotificationSettings(ctx context.Context, userID int64, s Settings) error
	// EmailRecipients returns the e-mail address of each of ids whose
	// owner enabled e-mail notifications.
	EmailRecipients(ctx context.Context, ids []int64) (map[int64]string, error)
}

// Mailer sends one plain-text e-mail (SMTP in production).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Sender is the push hook: the device registry implements it to push a
// notification to the user's registered devices. Errors are logged.
type Sender interface {
	Push(ctx context.Context, userID int64, n Notification) error
}

// Deliverer delivers notifications that were recorded elsewhere (the
// price write path records triggered alerts in its own transaction).
type Deliverer interface {
	Deliver(ctx context.Context, ns []Notification)
}

// Service records and delivers notifications.
type Service struct {
	store  Store
	events catalog.EventPublisher
	mail   Mailer
	push   Sender
	log    *slog.Logger
	// BaseURL prefixes the site-relative links in e-mails.
	BaseURL string
}

// Options are the service's optional collaborators (nil: not delivered
// that way).
type Options struct {
	Events  catalog.EventPublisher
	Mail    Mailer
	Push    Sender
	Log     *slog.Logger
	BaseURL string
}

// NewService returns the notification service over store.
func NewService(store Store, o Options) *Service {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{store: store, events: o.Events, mail: o.Mail, push: o.Push, log: o.Log,
		BaseURL: strings.TrimRight(o.BaseURL, "/")}
}

var _ Deliverer = (*Service)(nil)

// Notify records a notification of kind for userID and delivers it
// (WebSocket, e-mail when opted in, push). It is the one call other
// services make, e.g.
//
//	notify.Notify(ctx, sellerID, notify.KindBidReceived, notify.Payload{
//		Title: "New bid on Charizard", Body: "€700.00 from demo-2",
//		URL: "/listings/901", Data: map[string]any{"listing_id": 901, "bid_id": 55}})
//
// Only recording can fail; delivery failures are logged.
func (s *Service) Notify(ctx context.Context, userID int64, kind Kind, p Payload) (Notification, error) {
	if userID <= 0 || kind == "" || strings.TrimSpace(p.Title) == "" {
		return Notification{}, catalog.Errorf(catalog.EINVALID, "notification needs a user, a kind and a title")
	}
	data := json.RawMessage(`{}`)
	if p.Data != nil {
		b, err := json.Marshal(p.Data)
		if err != nil {
			return Notification{}, fmt.Errorf("notify: data: %w", err)
		}
		data = b
	}
	n, err := s.store.InsertNotification(ctx, Notification{UserID: userID, Kind: kind,
		Title: clip(p.Title, MaxTitle), Body: clip(p.Body, MaxBody), URL: p.URL, Data: data})
	if err != nil {
		return Notification{}, fmt.Errorf("notify: record: %w", err)
	}
	s.Deliver(ctx, []Notification{n})
	return n, nil
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Frame is the data of the "notification" frame on user:<id>: the seed's
// {kind, title, body, url} plus the feed item's id, data and time.
type Frame struct {
	ID        int64           `json:"id"`
	Kind      Kind            `json:"kind"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	URL       string          `json:"url"`
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"created_at"`
}

// Deliver publishes recorded notifications on their owners' topics,
// e-mails the owners who opted in and pushes them to devices. It never
// fails: each channel's errors are logged.
func (s *Service) Deliver(ctx context.Context, ns []Notification) {
	if len(ns) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if s.events != nil {
		evs := make([]catalog.Event, len(ns))
		for i, n := range ns {
			evs[i] = catalog.Event{Type: catalog.FrameNotification, Topic: catalog.UserTopic(n.UserID), TS: n.CreatedAt,
				Data: Frame{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, URL: n.URL, Data: n.Data, CreatedAt: n.CreatedAt}}
		}
		if err := s.events.Publish(ctx, evs...); err != nil {
			s.log.WarnContext(ctx, "notifications not published", "count", len(ns), "err", err)
		}
	}
	if s.mail != nil {
		s.email(ctx, ns)
	}
	if s.push != nil {
		for _, n := range ns {
			if err := s.push.Push(ctx, n.UserID, n); err != nil {
				s.log.WarnContext(ctx, "notification not pushed", "id", n.ID, "err", err)
			}
		}
	}
}

// email sends each notification whose owner opted in, one message each.
func (s *Service) email(ctx context.Context, ns []Notification) {
	ids := make([]int64, 0, len(ns))
	for _, n := range ns {
		ids = append(ids, n.UserID)
	}
	to, err := s.store.EmailRecipients(ctx, ids)
	if err != nil {
		s.log.WarnContext(ctx, "notification e-mails not sent", "err", err)
		return
	}
	for _, n := range ns {
		addr, ok := to[n.UserID]
		if !ok {
			continue
		}
		body := n.Body
		if n.URL != "" {
			body += "\n\n" + s.BaseURL + n.URL
		}
		body += "\n\n-- \nCollector Stash Market. Turn these e-mails off in your notification settings."
		if err := s.mail.Send(ctx, addr, n.Title, body); err != nil {
			s.log.WarnContext(ctx, "notification e-mail not sent", "id", n.ID, "err", err)
		}
	}
}

// List pages the user's feed, newest first.
func (s *Service) List(ctx context.Context, userID int64, q ListQuery) ([]Notification, int, error) {
	if q.Limit <= 0 || q.Limit > MaxPage {
		q.Limit = 50
	}
	return s.store.Notifications(ctx, userID, q)
}

// Unread is the per-kind unread counters and their total.
type Unread struct {
	Total  int          `json:"total"`
	ByKind map[Kind]int `json:"by_kind"`
}

// UnreadCounts returns the user's unread counters.
func (s *Service) UnreadCounts(ctx context.Context, userID int64) (Unread, error) {
	m, err := s.store.UnreadCounts(ctx, userID)
	if err != nil {
		return Unread{}, err
	}
	u := Unread{ByKind: m}
	for _, n := range m {
		u.Total += n
	}
	return u, nil
}

// MarkRead marks one of the user's notifications read.
func (s *Service) MarkRead(ctx context.Context, userID, id int64) error {
	return s.store.MarkNotificationRead(ctx, userID, id)
}

// MarkAllRead marks every (or every kind) unread notification read and
// returns how many changed.
func (s *Service) MarkAllRead(ctx context.Context, userID int64, kind Kind) (int64, error) {
	return s.store.MarkNotificationsRead(ctx, userID, kind)
}

// Settings returns the user's delivery settings.
func (s *Service) Settings(ctx context.Context, userID int64) (Settings, error) {
	return s.store.NotificationSettings(ctx, userID)
}

// SetSettings stores the user's delivery settings.
func (s *Service) SetSettings(ctx context.Context, userID int64, st Settings) (Settings, error) {
	if err := s.store.SetNotificationSettings(ctx, userID, st); err != nil {
		return Settings{}, err
	}
	return st, nil
}
