package market

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// RenewalToken returns the single-use token of a renewal e-mail link for
// listingID: "<listing id>.<expiry unix>.<id>" and its HMAC-SHA256 under
// the session secret, valid RenewalTokenTTL.
func (s *Service) RenewalToken(listingID int64) (string, error) {
	r := s.cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	nonce := make([]byte, 12)
	if _, err := io.ReadFull(r, nonce); err != nil {
		return "", fmt.Errorf("renewal token: %w", err)
	}
	payload := strconv.FormatInt(listingID, 10) + "." + strconv.FormatInt(s.now().Add(RenewalTokenTTL).Unix(), 10) + "." + hex.EncodeToString(nonce)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(s.sign(payload)), nil
}

func (s *Service) sign(payload string) []byte {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("listing-renewal:" + payload))
	return m.Sum(nil)
}

// parseRenewalToken verifies token and returns its listing and token id.
func (s *Service) parseRenewalToken(token string) (listingID int64, tokenID string, err error) {
	bad := catalog.Errorf(catalog.ENOTFOUND, "This renewal link is not valid")
	if len(s.cfg.Secret) == 0 || len(token) > 200 {
		return 0, "", bad
	}
	p64, sig64, ok := strings.Cut(token, ".")
	if !ok {
		return 0, "", bad
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(sig64)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, s.sign(string(payload))) {
		return 0, "", bad
	}
	parts := strings.Split(string(payload), ".")
	if len(parts) != 3 {
		return 0, "", bad
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, "", bad
	}
	if !s.now().Before(time.Unix(exp, 0)) {
		return 0, "", catalog.Errorf(catalog.EGONE, "This renewal link has expired")
	}
	return id, parts[2], nil
}

// RenewByToken renews the listing of an e-mailed link without signing in;
// the token works once (ECONFLICT after), expires (EGONE) and is bound to
// its listing.
func (s *Service) RenewByToken(ctx context.Context, token string) (Listing, error) {
	id, tokenID, err := s.parseRenewalToken(token)
	if err != nil {
		return Listing{}, err
	}
	l, _, err := s.cfg.Store.RenewListing(ctx, id, 0, tokenID, s.now())
	if err != nil {
		return Listing{}, fmt.Errorf("renew by token: %w", err)
	}
	return l, nil
}

// Reminder is an expiring listing and the address of its seller.
type Reminder struct {
	Listing Listing
	Email   string
}

// SendReminders e-mails the seller of every active listing expiring within
// ReminderBefore a one-click renewal link (once per listing). It returns
// how many were sent.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	if s.cfg.Mailer == nil {
		return 0, nil
	}
	rs, err := s.cfg.Store.ExpiringListings(ctx, s.now(), s.now().Add(ReminderBefore), 500)
	if err != nil {
		return 0, fmt.Errorf("reminders: %w", err)
	}
	sent := 0
	for _, r := range rs {
		tok, err := s.RenewalToken(r.Listing.ID)
		if err != nil {
			return sent, err
		}
		link := strings.TrimRight(s.cfg.PublicURL, "/") + "/listings/renew/" + tok
		body := fmt.Sprintf("Hello,\n\nyour listing #%d (%s, %s EUR) expires on %s.\n\nRenew it for 30 more days with one click (the link works once, for 7 days):\n%s\n\nCollector Stash Market\n",
			r.Listing.ID, r.Listing.CardName, r.Listing.Price, r.Listing.ExpiresAt.UTC().Format("2 January 2006 15:04 UTC"), link)
		if err := s.cfg.Mailer.Send(ctx, r.Email, "Your listing expires soon: "+r.Listing.CardName, body); err != nil {
			s.cfg.Log.WarnContext(ctx, "market: reminder not sent", "listing_id", r.Listing.ID, "err", err)
			continue
		}
		sent++
	}
	return sent, nil
}
