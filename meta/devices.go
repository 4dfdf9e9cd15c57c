package meta

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Platform is a mobile platform.
type Platform string

// The platforms of the version manifest and of devices.
const (
	Android Platform = "android"
	IOS     Platform = "ios"
)

// Platforms lists the valid platforms.
var Platforms = []Platform{Android, IOS}

func validPlatform(p Platform) bool { return p == Android || p == IOS }

// Limits of a device registration.
const (
	MaxTokenLength      = 4096
	MaxAppVersionLength = 50
)

// Device is one app install that receives pushes.
type Device struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"-"`
	Platform   Platform  `json:"platform"`
	Token      string    `json:"token"`
	AppVersion *string   `json:"app_version"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
}

// DeviceStore keeps devices.
type DeviceStore interface {
	// UpsertDevice registers d's token for d.UserID (a token moves to the
	// latest account that registers it); created is false for a known one.
	UpsertDevice(ctx context.Context, d Device) (Device, bool, error)
	// DeleteDevice removes userID's token; false when it has none such.
	DeleteDevice(ctx context.Context, userID int64, token string) (bool, error)
	Devices(ctx context.Context, userID int64) ([]Device, error)
}

// DeviceRegistration is a device a user registers for push notifications
// (POST /api/devices).
type DeviceRegistration struct {
	Platform   string `json:"platform"`
	Token      string `json:"token"`
	AppVersion string `json:"app_version"`
}

// RegisterDevice records a device for push notifications; created is false
// for a token already known.
func (s *Service) RegisterDevice(ctx context.Context, userID int64, in DeviceRegistration) (Device, bool, error) {
	platform, token, appVersion := in.Platform, in.Token, in.AppVersion
	var fs []catalog.FieldError
	field := func(name, msg, typ string) {
		fs = append(fs, catalog.FieldError{Loc: []string{"body", name}, Msg: msg, Type: typ})
	}
	p := Platform(platform)
	switch {
	case platform == "":
		field("platform", "field required", "value_error.missing")
	case !validPlatform(p):
		field("platform", "value is not a valid enumeration member; permitted: 'android', 'ios'", "type_error.enum")
	}
	token = strings.TrimSpace(token)
	switch {
	case token == "":
		field("token", "field required", "value_error.missing")
	case len(token) > MaxTokenLength:
		field("token", fmt.Sprintf("ensure this value has at most %d characters", MaxTokenLength), "value_error.any_str.max_length")
	}
	appVersion = strings.TrimSpace(appVersion)
	if len(appVersion) > MaxAppVersionLength {
		field("app_version", fmt.Sprintf("ensure this value has at most %d characters", MaxAppVersionLength), "value_error.any_str.max_length")
	}
	if len(fs) > 0 {
		return Device{}, false, &catalog.Error{Code: catalog.EVALIDATION, Message: fs[0].Msg, Fields: fs}
	}
	d := Device{UserID: userID, Platform: p, Token: token, CreatedAt: s.now().UTC()}
	d.LastSeen = d.CreatedAt
	if appVersion != "" {
		d.AppVersion = &appVersion
	}
	return s.store.UpsertDevice(ctx, d)
}

// RemoveDevice unregisters one of userID's tokens (ENOTFOUND otherwise).
func (s *Service) RemoveDevice(ctx context.Context, userID int64, token string) error {
	token = strings.TrimSpace(token)
	if token == "" {
		return catalog.Validation([]string{"body", "token"}, "field required", "value_error.missing")
	}
	ok, err := s.store.DeleteDevice(ctx, userID, token)
	if err != nil {
		return fmt.Errorf("remove device: %w", err)
	}
	if !ok {
		return catalog.Errorf(catalog.ENOTFOUND, "Device not found")
	}
	return nil
}

// Devices lists userID's devices.
func (s *Service) Devices(ctx context.Context, userID int64) ([]Device, error) {
	ds, err := s.store.Devices(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	if ds == nil {
		ds = []Device{}
	}
	return ds, nil
}

// Push is one push notification.
type Push struct {
	Title string         `json:"title"`
	Body  string         `json:"body"`
	URL   string         `json:"url,omitempty"`
	Data  map[string]any `json:"data,omitempty"`
}

// Sender delivers a push to one device (FCM, APNs, …). No outside service
// is called in tests: LogSender and RecordingSender stand in.
type Sender interface {
	Send(ctx context.Context, d Device, p Push) error
}

// PushToUser sends p to every device of userID and returns how many took
// it; a failing device does not stop the others.
func (s *Service) PushToUser(ctx context.Context, userID int64, p Push) (int, error) {
	ds, err := s.store.Devices(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("push: devices: %w", err)
	}
	sent := 0
	for _, d := range ds {
		if err := s.push.Send(ctx, d, p); err != nil {
			s.log.WarnContext(ctx, "push not delivered", "device_id", d.ID, "platform", d.Platform, "err", err)
			continue
		}
		sent++
	}
	return sent, nil
}

// LogSender logs pushes instead of delivering them (no push service
// configured).
type LogSender struct{ Log *slog.Logger }

// Send implements Sender.
func (l LogSender) Send(ctx context.Context, d Device, p Push) error {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "push (not delivered: no push service)", "device_id", d.ID, "platform", d.Platform, "title", p.Title)
	return nil
}

// Sent is one push a RecordingSender took.
type Sent struct {
	Device Device
	Push   Push
}

// RecordingSender keeps the pushes it is given (tests, demos).
type RecordingSender struct {
	mu   sync.Mutex
	sent []Sent
}

// Send implements Sender.
func (r *RecordingSender) Send(_ context.Context, d Device, p Push) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, Sent{Device: d, Push: p})
	return nil
}

// Sent returns the pushes so far.
func (r *RecordingSender) Sent() []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Sent(nil), r.sent...)
}
