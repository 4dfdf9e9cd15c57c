package market

import (
	"context"
	"fmt"

	"github.com/collectorstash/csm/catalog"
)

// EventNotifier is a Notifier that pushes each notification as a
// notification frame ({kind, title, body, url}) on the user's user:<id>
// topic. It stores nothing: the notification feed, once wired, replaces
// or wraps it.
type EventNotifier struct {
	Events catalog.EventPublisher
}

// Notification is the data of a notification frame.
type Notification struct {
	Kind  string         `json:"kind"`
	Title string         `json:"title"`
	Body  string         `json:"body"`
	URL   string         `json:"url,omitempty"`
	Data  map[string]any `json:"data,omitempty"`
}

var notificationTitles = map[string]string{
	NotifyBidReceived:  "New bid on your listing",
	NotifyBidAccepted:  "Your bid was accepted",
	NotifyBidRejected:  "Your bid was declined",
	NotifyItemSold:     "Your item sold",
	NotifyOrderUpdated: "Order updated",
}

// Describe words a marketplace notification: its title, a body line and
// its link, from the kind and the payload the service sends.
func Describe(kind string, payload map[string]any) Notification {
	title := notificationTitles[kind]
	if title == "" {
		title = kind
	}
	body := ""
	switch kind {
	case NotifyBidReceived, NotifyItemSold:
		body = fmt.Sprintf("%v EUR on listing #%v", payload["amount"], payload["listing_id"])
	case NotifyOrderUpdated:
		body = fmt.Sprintf("Order #%v is now %v", payload["transaction_id"], payload["status"])
	case NotifyBidAccepted, NotifyBidRejected:
		body = fmt.Sprintf("Listing #%v", payload["listing_id"])
	}
	url, _ := payload["url"].(string)
	return Notification{Kind: kind, Title: title, Body: body, URL: url, Data: payload}
}

// Notify publishes the notification frame.
func (n EventNotifier) Notify(ctx context.Context, userID int64, kind string, payload map[string]any) error {
	if n.Events == nil {
		return nil
	}
	return n.Events.Publish(ctx, catalog.Event{Type: catalog.FrameNotification, Topic: catalog.UserTopic(userID),
		Data: Describe(kind, payload)})
}
