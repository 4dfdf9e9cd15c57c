package api_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/realtime"
)

// mailbox is an in-process SMTP server (emersion/go-smtp) keeping every
// message it accepts.
type mailbox struct {
	addr string
	mu   sync.Mutex
	msgs []mail
}

type mail struct {
	from string
	to   []string
	data string
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: m}, nil }

type mailSession struct {
	box *mailbox
	cur mail
}

func (s *mailSession) Reset()        { s.cur = mail{} }
func (s *mailSession) Logout() error { return nil }
func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur.from = from
	return nil
}
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}

func (m *mailbox) all() []mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mail(nil), m.msgs...)
}

func startMailbox(t *testing.T) *mailbox {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	box := &mailbox{addr: l.Addr().String()}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box
}

// frameSink is a WebSocket-less stream sink: the frames the hub relays.
type frameSink struct{ ch chan []byte }

func (s *frameSink) Deliver(f []byte) bool {
	select {
	case s.ch <- f:
		return true
	default:
		return false
	}
}
func (s *frameSink) Drop(string) {}

// notifyFixture is the collection API with notifications delivered over
// Redis pub/sub (a hub listens) and SMTP (an in-process server).
type notifyFixture struct {
	*acct
	db   *postgres.DB
	hub  *realtime.Hub
	mail *mailbox
}

func setupNotify(t *testing.T) *notifyFixture {
	t.Helper()
	box := startMailbox(t)
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr()})
	t.Cleanup(func() { _ = rdb.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "test:" + hex.EncodeToString(b) + ":rt:"
	hub := realtime.NewHub(rdb, realtime.HubOptions{Prefix: prefix, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(func() { _ = hub.Close() })
	nf := &notifyFixture{hub: hub, mail: box}
	nf.acct = setupAccounts(t, acctOptions{noLimiter: true, configure: func(f *acct, cfg *api.Config) {
		db := f.db
		_, err := demo.Load(t.Context(), db, db, demo.Options{Today: acctStart, Days: 3})
		require.NoError(t, err)
		mailer, err := notify.NewSMTPMailer(notify.SMTPConfig{Addr: box.addr, From: "Collector Stash <alerts@csm.example>"})
		require.NoError(t, err)
		svc := notify.NewService(db, notify.Options{Events: realtime.NewPublisher(rdb, prefix), Mail: mailer,
			BaseURL: "https://csm.example"})
		db.Notify = svc
		cfg.Notify = svc
		cfg.Collection = collection.NewService(db, cfg.Now)
		nf.db = db
	}})
	return nf
}

func (f *notifyFixture) userID(c *client) int64 {
	var me struct {
		ID int64 `json:"id"`
	}
	r := c.do(http.MethodGet, "/auth/me", nil)
	require.Equal(f.t, http.StatusOK, r.status, "%s", r.body)
	r.json(&me)
	return me.ID
}

func eurTrend(variant int64, day time.Time, minor int64) catalog.ImportPrice {
	return catalog.ImportPrice{Ref: catalog.PriceRef{VariantID: variant}, Source: "cardmarket", Region: catalog.RegionEU,
		PriceType: "trend", Currency: "EUR", AmountMinor: minor, AsOf: day}
}

// TestPriceAlertEndToEnd: an alert and a wishlist price trigger once on
// a crossing price write: recorded in the feed, pushed on user:<id>,
// e-mailed to the user who opted in and not to the one who did not.
func TestPriceAlertEndToEnd(t *testing.T) {
	t.Parallel()
	f := setupNotify(t)
	alice := f.register(uniqueName("alice"))
	bob := f.register(uniqueName("bob"))
	aliceID := f.userID(alice)

	sink := &frameSink{ch: make(chan []byte, 16)}
	require.NoError(t, f.hub.Subscribe(t.Context(), sink, catalog.UserTopic(aliceID)))

	r := alice.do(http.MethodGet, "/api/notifications/settings", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.JSONEq(t, `{"email_enabled": false}`, string(r.body))
	r = alice.do(http.MethodPut, "/api/notifications/settings", map[string]any{"email_enabled": true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = alice.do(http.MethodPut, "/api/notifications/settings", map[string]any{})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)

	alert := map[string]any{"card_id": charizardID, "target_price": 750, "condition": "below"}
	r = alice.do(http.MethodPost, "/alerts", alert)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var a struct {
		ID          int64      `json:"id"`
		CardName    string     `json:"card_name"`
		TargetPrice float64    `json:"target_price"`
		Currency    string     `json:"currency"`
		IsActive    bool       `json:"is_active"`
		TriggeredAt *time.Time `json:"triggered_at"`
	}
	r.json(&a)
	require.Equal(t, "Charizard", a.CardName)
	require.Equal(t, "EUR", a.Currency)
	require.True(t, a.IsActive)
	r = alice.do(http.MethodPost, "/alerts", alert)
	require.Equal(t, http.StatusConflict, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/alerts", map[string]any{"card_id": charizardID, "target_price": -1, "condition": "sideways"})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/alerts", map[string]any{"card_id": 999999999, "target_price": 5})
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = bob.do(http.MethodPost, "/alerts", alert)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var bobAlert struct {
		ID int64 `json:"id"`
	}
	r.json(&bobAlert)
	r = alice.do(http.MethodDelete, "/alerts/"+itoa64(bobAlert.ID), nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)

	r = alice.do(http.MethodPost, "/wishlist/add", map[string]any{"card_id": blastoiseID, "max_price": 40})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/wishlist/add", map[string]any{"card_id": blastoiseID, "max_price": 50})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/wishlist/add", map[string]any{"card_id": blackLotusID})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var wl struct {
		Items []struct {
			CardID       int64    `json:"card_id"`
			MaxPrice     *float64 `json:"max_price"`
			CurrentPrice *float64 `json:"current_price"`
		} `json:"items"`
	}
	r = alice.do(http.MethodGet, "/wishlist", nil)
	r.json(&wl)
	require.Len(t, wl.Items, 2)
	require.Equal(t, int64(blackLotusID), wl.Items[0].CardID)
	require.InDelta(t, 50, *wl.Items[1].MaxPrice, 0.001)
	require.NotNil(t, wl.Items[1].CurrentPrice)

	// the next scrape: Charizard €712.50, Blastoise €45.00
	day := acctStart.AddDate(0, 0, 1)
	_, err := f.db.WritePrices(t.Context(), []catalog.ImportPrice{eurTrend(99766, day, 71250), eurTrend(blastoiseID, day, 4500)})
	require.NoError(t, err)

	r = alice.do(http.MethodGet, "/alerts", nil)
	var as struct {
		Items []struct {
			ID          int64      `json:"id"`
			IsActive    bool       `json:"is_active"`
			TriggeredAt *time.Time `json:"triggered_at"`
		} `json:"items"`
	}
	r.json(&as)
	require.Len(t, as.Items, 1)
	require.NotNil(t, as.Items[0].TriggeredAt)
	require.False(t, as.Items[0].IsActive)

	type feedItem struct {
		ID     int64          `json:"id"`
		Kind   string         `json:"kind"`
		Title  string         `json:"title"`
		Body   string         `json:"body"`
		Data   map[string]any `json:"data"`
		IsRead bool           `json:"is_read"`
	}
	var feed struct {
		Items       []feedItem `json:"items"`
		Total       int        `json:"total"`
		UnreadCount int        `json:"unread_count"`
		Unread      struct {
			Total  int            `json:"total"`
			ByKind map[string]int `json:"by_kind"`
		} `json:"unread"`
	}
	r = alice.do(http.MethodGet, "/api/notifications", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&feed)
	require.Equal(t, 2, feed.Total)
	require.Equal(t, 2, feed.UnreadCount)
	require.Equal(t, map[string]int{"alert_triggered": 1, "wishlist_price": 1}, feed.Unread.ByKind)
	var alertNote feedItem
	for _, it := range feed.Items {
		if it.Kind == "alert_triggered" {
			alertNote = it
		}
	}
	require.Equal(t, "Charizard hit your target", alertNote.Title)
	require.Equal(t, "Now €712.50 (target: €750.00)", alertNote.Body)
	require.EqualValues(t, a.ID, alertNote.Data["alert_id"])
	require.EqualValues(t, charizardID, alertNote.Data["card_id"])

	// pushed on user:<id>
	kinds := map[string]bool{}
	for range 2 {
		select {
		case fr := <-sink.ch:
			var frame struct {
				Type  string         `json:"type"`
				Topic string         `json:"topic"`
				Data  map[string]any `json:"data"`
			}
			require.NoError(t, json.Unmarshal(fr, &frame))
			require.Equal(t, "notification", frame.Type)
			require.Equal(t, catalog.UserTopic(aliceID), frame.Topic)
			kinds[frame.Data["kind"].(string)] = true
			require.NotEmpty(t, frame.Data["title"])
		case <-time.After(10 * time.Second):
			t.Fatal("no notification frame on user:<id>")
		}
	}
	require.Equal(t, map[string]bool{"alert_triggered": true, "wishlist_price": true}, kinds)

	// e-mailed to alice (opted in), not to bob
	mails := f.mail.all()
	require.Len(t, mails, 2)
	for _, m := range mails {
		require.Equal(t, []string{strings.Split(m.to[0], "@")[0] + "@example.com"}, m.to)
		require.True(t, strings.HasPrefix(m.to[0], "alice"), "%v", m.to)
		require.Equal(t, "alerts@csm.example", m.from)
	}
	require.Contains(t, mails[0].data+mails[1].data, "Now €712.50 (target: €750.00)")
	require.Contains(t, mails[0].data+mails[1].data, "https://csm.example/cards/")
	var bobFeed struct {
		Total int `json:"total"`
	}
	r = bob.do(http.MethodGet, "/api/notifications", nil)
	r.json(&bobFeed)
	require.Equal(t, 1, bobFeed.Total, "bob's alert triggered too: in his feed, not e-mailed")

	// a second crossing price triggers nothing more
	_, err = f.db.WritePrices(t.Context(), []catalog.ImportPrice{eurTrend(99766, day.AddDate(0, 0, 1), 60000)})
	require.NoError(t, err)
	r = alice.do(http.MethodGet, "/api/notifications", nil)
	r.json(&feed)
	require.Equal(t, 2, feed.Total)
	require.Len(t, f.mail.all(), 2)

	// mark read: one, then all of a kind; another user's is 404
	r = bob.do(http.MethodPost, "/api/notifications/"+itoa64(alertNote.ID)+"/read", nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/api/notifications/"+itoa64(alertNote.ID)+"/read", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var unread struct {
		Total  int            `json:"total"`
		ByKind map[string]int `json:"by_kind"`
	}
	r = alice.do(http.MethodGet, "/api/notifications/unread", nil)
	r.json(&unread)
	require.Equal(t, 1, unread.Total)
	require.Equal(t, map[string]int{"wishlist_price": 1}, unread.ByKind)
	r = alice.do(http.MethodPost, "/api/notifications/read-all?kind=Bogus!", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	r = alice.do(http.MethodPost, "/api/notifications/read-all", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = alice.do(http.MethodGet, "/api/notifications/unread", nil)
	r.json(&unread)
	require.Zero(t, unread.Total)

	r = alice.do(http.MethodDelete, "/alerts/"+itoa64(a.ID), nil)
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	r = alice.do(http.MethodDelete, "/wishlist/"+itoa64(blastoiseID), nil)
	require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	r = alice.do(http.MethodDelete, "/wishlist/"+itoa64(blastoiseID), nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
	r = f.anon().do(http.MethodGet, "/api/notifications", nil)
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
}

// TestNotifyAPIForOtherServices: Notify records, counts and publishes a
// kind other services use.
func TestNotifyAPIForOtherServices(t *testing.T) {
	t.Parallel()
	f := setupNotify(t)
	u := f.register(uniqueName("seller"))
	id := f.userID(u)
	svc := notify.NewService(f.db, notify.Options{})
	n, err := svc.Notify(t.Context(), id, notify.KindNewMessage, notify.Payload{Title: "Bericht van demo-2",
		Body: "Example message body", URL: "/messages/14", Data: map[string]any{"message_id": 14, "from_username": "demo-2"}})
	require.NoError(t, err)
	require.NotZero(t, n.ID)
	_, err = svc.Notify(t.Context(), id, notify.KindNewMessage, notify.Payload{})
	require.Error(t, err)
	r := u.do(http.MethodGet, "/api/notifications?kind=new_message&unread=true", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"from_username":"demo-2"`)
}

const blastoiseID = 441074
