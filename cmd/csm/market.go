package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/collectorstash/csm/mail"
	"github.com/collectorstash/csm/market"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer/scanphoto"
)

// marketDeps assembles the marketplace service for `csm serve`: the
// Postgres store, listing_new events through db.Events (set by
// realtimeDeps), listing images encoded to WebP and saved under
// <data>/static/listing_images, renewal links signed with the session
// secret. Notifications (bids, sales, order updates) go into the
// notification feed, which delivers them on user:<id>, by e-mail when the
// user opted in and to their devices.
//
// With CSM_SMTP_ADDR set (CSM_SMTP_FROM, CSM_SMTP_USERNAME,
// CSM_SMTP_PASSWORD), reminders returns a loop that e-mails expiry
// reminders every CSM_MARKET_REMINDER_INTERVAL (1h); several processes
// may run it, each reminder is claimed once in the database.
//
// Sellers must have verified their e-mail address (verified).
func marketDeps(cfg *config, db *postgres.DB, secret []byte, feed *notify.Service, verified market.Verifier, blocks market.Blocker) (svc *market.Service, reminders func(context.Context)) {
	mc := market.Config{
		Store:     db.Market(),
		Events:    db.Events,
		Notify:    marketFeed{feed},
		Images:    scanphoto.Encoder{},
		Files:     market.DirFiles{Root: filepath.Join(cfg.DataDir, "static")},
		Secret:    secret,
		PublicURL: cfg.PublicURL,
		Log:       slog.Default(),
		Verified:  verified,
		Blocks:    blocks,
	}
	if addr := cfg.SMTPAddr; addr != "" {
		mc.Mailer = mail.SMTP{Addr: addr, From: cfg.SMTPFrom,
			Username: cfg.SMTPUsername, Password: cfg.SMTPPassword}
	}
	svc = market.New(mc)
	every := cfg.MarketReminderInterval
	return svc, func(ctx context.Context) {
		if mc.Mailer == nil {
			return
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if n, err := svc.SendReminders(ctx); err != nil {
				slog.Warn("market: expiry reminders", "err", err)
			} else if n > 0 {
				slog.Info("market: expiry reminders sent", "count", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}
}

// marketFeed records marketplace notifications in the notification feed.
type marketFeed struct{ feed *notify.Service }

// Notify implements market.Notifier.
func (m marketFeed) Notify(ctx context.Context, userID int64, kind string, payload map[string]any) error {
	d := market.Describe(kind, payload)
	_, err := m.feed.Notify(ctx, userID, notify.Kind(kind), notify.Payload{Title: d.Title, Body: d.Body, URL: d.URL, Data: payload})
	return err
}
