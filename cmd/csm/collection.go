package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/market"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer/scanphoto"
)

// notifyDeps builds the notification service over db and sets it as db's
// deliverer, so price writes (imports, ingest) deliver the alerts they
// trigger. It publishes on db.Events (set it first) and e-mails through
// CSM_SMTP_ADDR (host:port; unset: no e-mail) as CSM_SMTP_FROM, with
// CSM_SMTP_USERNAME / CSM_SMTP_PASSWORD when the server wants PLAIN auth.
func notifyDeps(cfg *config, db *postgres.DB, push notify.Sender) *notify.Service {
	o := notify.Options{Events: db.Events, Push: push, Log: slog.Default(), BaseURL: cfg.PublicURL}
	if addr := cfg.SMTPAddr; addr != "" {
		m, err := notify.NewSMTPMailer(notify.SMTPConfig{Addr: addr,
			From:     cfg.SMTPFrom,
			Username: cfg.SMTPUsername, Password: cfg.SMTPPassword})
		if err != nil {
			slog.Error("notification e-mail disabled", "err", err)
		} else {
			o.Mail = m
		}
	}
	svc := notify.NewService(db, o)
	db.Notify = svc
	return svc
}

// collectionDeps is the collection service over db; avatars are stored
// under <data>/static/avatars (served at /static/avatars) as WebP by the
// scan photos' encoder. The marketplace's listings of a user are wired
// when the market service exists (nil: none shown).
func collectionDeps(cfg *config, db *postgres.DB, mkt *market.Service) *collection.Service {
	svc := collection.NewService(db, nil)
	svc.SetProfile(collection.ProfileOptions{Encoder: scanphoto.Encoder{},
		Files:    collection.DiskAvatars{Dir: filepath.Join(cfg.DataDir, "static", "avatars"), URLPrefix: "/static/avatars"},
		Listings: profileListings{mkt}})
	return svc
}

// profileListings shows a seller's active marketplace listings on their
// public profile.
type profileListings struct{ market *market.Service }

// ListingsOfUser implements collection.SellerListings.
func (p profileListings) ListingsOfUser(ctx context.Context, userID int64, limit int) ([]collection.ListingSummary, error) {
	page, err := p.market.SellerListings(ctx, userID, 200, 0)
	if err != nil {
		return nil, err
	}
	var out []collection.ListingSummary
	for _, l := range page.Items {
		if l.Status != market.ListingActive || len(out) >= limit {
			continue
		}
		out = append(out, collection.ListingSummary{ID: l.ID, CardID: l.CardID, CardName: l.CardName,
			Price: l.Price.Float(), Currency: "EUR", URL: fmt.Sprintf("/listings/%d", l.ID)})
	}
	return out, nil
}
