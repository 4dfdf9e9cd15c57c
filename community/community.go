// Package community holds the rules of members talking to each other:
// private messages, blocks, reports and the forum. It declares the stores
// it needs (Store, Listings) and the delivery it asks for (Notifier,
// catalog.EventPublisher); postgres and the lead's wiring provide them.
package community

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/collectorstash/csm/catalog"
)

// Limits of what members write (the seed's tables).
const (
	MaxMessageBody    = 5000
	MaxMessageSubject = 200
	MaxReportReason   = 500
	MaxThreadTitle    = 200
	MaxPostBody       = 20000
	MaxListLimit      = 100
	// DefaultEditWindow is how long an author may edit a forum post.
	DefaultEditWindow = time.Hour
)

// Member is the public identity of an account.
type Member struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	// Gone is set for an account past its deletion time.
	Gone bool `json:"-"`
}

// Actor is the signed-in caller of a use case.
type Actor struct {
	ID       int64
	Username string
	IsAdmin  bool
}

// ActorOf returns the caller of a request.
func ActorOf(u catalog.User) Actor {
	return Actor{ID: u.ID, Username: u.Username, IsAdmin: u.IsAdmin}
}

// Store is everything the community keeps.
type Store interface {
	MessageStore
	BlockStore
	ReportStore
	ForumStore
	// MemberByUsername finds an account (ENOTFOUND "User not found").
	MemberByUsername(ctx context.Context, username string) (Member, error)
}

// Listings tells whether a marketplace listing exists (the market
// capability owns listings). A nil Listings knows no listing.
type Listings interface {
	ListingExists(ctx context.Context, id int64) (bool, error)
}

// NotificationKind names an entry of the notification feed.
type NotificationKind string

// KindNewMessage is the feed entry of a received private message.
const KindNewMessage NotificationKind = "new_message"

// Notification is one entry for a user's notification feed.
type Notification struct {
	UserID int64
	Kind   NotificationKind
	Title  string
	Body   string
	// URL is where the entry leads in the web app.
	URL  string
	Data map[string]any
}

// Notifier records notifications in the feed (the notify capability).
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// Config wires a Service.
type Config struct {
	Store    Store
	Listings Listings
	Notifier Notifier
	Events   catalog.EventPublisher
	Now      func() time.Time
	Log      *slog.Logger
	// EditWindow bounds forum edits by their author (DefaultEditWindow).
	EditWindow time.Duration
}

// Service runs the community's use cases.
type Service struct {
	store      Store
	listings   Listings
	notify     Notifier
	events     catalog.EventPublisher
	now        func() time.Time
	log        *slog.Logger
	editWindow time.Duration
}

// New returns a Service; Now, Log and EditWindow have defaults.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, listings: cfg.Listings, notify: cfg.Notifier, events: cfg.Events,
		now: cfg.Now, log: cfg.Log, editWindow: cfg.EditWindow}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.editWindow <= 0 {
		s.editWindow = DefaultEditWindow
	}
	return s
}

// EditWindow is how long an author may edit a forum post.
func (s *Service) EditWindow() time.Duration { return s.editWindow }

// member resolves a username to a live account.
func (s *Service) member(ctx context.Context, username string) (Member, error) {
	m, err := s.store.MemberByUsername(ctx, strings.ToLower(strings.TrimSpace(username)))
	if err != nil {
		return Member{}, err
	}
	if m.Gone {
		return Member{}, catalog.Errorf(catalog.ENOTFOUND, "User not found")
	}
	return m, nil
}

// listingExists asks the market capability; nil knows none.
func (s *Service) listingExists(ctx context.Context, id int64) (bool, error) {
	if s.listings == nil {
		return false, nil
	}
	return s.listings.ListingExists(ctx, id)
}

// fields collects body validation failures so one 422 lists every field.
type fields []catalog.FieldError

func (f *fields) missing(name string) {
	*f = append(*f, catalog.FieldError{Loc: []string{"body", name}, Msg: "field required", Type: "value_error.missing"})
}

func (f *fields) tooLong(name string, max int) {
	*f = append(*f, catalog.FieldError{Loc: []string{"body", name},
		Msg: "ensure this value has at most " + strconv.Itoa(max) + " characters", Type: "value_error.any_str.max_length"})
}

func (f *fields) add(name, msg, typ string) {
	*f = append(*f, catalog.FieldError{Loc: []string{"body", name}, Msg: msg, Type: typ})
}

// text checks a required (or optional) text field against max characters.
func (f *fields) text(name, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		f.missing(name)
	case utf8.RuneCountInString(v) > max:
		f.tooLong(name, max)
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		f.add(name, "invalid characters", "value_error.str")
	}
}

// positive checks an optional id.
func (f *fields) positive(name string, v *int64) {
	if v != nil && *v <= 0 {
		f.add(name, "ensure this value is greater than 0", "value_error.number.not_gt")
	}
}

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return &catalog.Error{Code: catalog.EVALIDATION, Message: f[0].Msg, Fields: f}
}

// publish sends events best effort: a failure is logged, never returned.
func (s *Service) publish(ctx context.Context, events ...catalog.Event) {
	if s.events == nil {
		return
	}
	if err := s.events.Publish(ctx, events...); err != nil {
		s.log.WarnContext(ctx, "community: event not published", "err", err)
	}
}

// excerpt shortens s to n characters for notifications.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
