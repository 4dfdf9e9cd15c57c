// Package accountmail holds the account e-mail use cases: password reset by
// e-mail (single-use token, one hour) and e-mail address verification.
package accountmail

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Purpose says what a token is for.
type Purpose string

// Token purposes.
const (
	PurposeVerify Purpose = "verify"
	PurposeReset  Purpose = "reset"
)

// ResetTTL is how long a password-reset link works; VerifyTTL a
// verification link.
const (
	ResetTTL  = time.Hour
	VerifyTTL = 7 * 24 * time.Hour
)

// Token is a stored token: only the SHA-256 of the secret.
type Token struct {
	Hash      []byte
	UserID    int64
	Purpose   Purpose
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Store is what the service needs from the database.
type Store interface {
	// UserByLogin finds an account by username or e-mail (ENOTFOUND).
	UserByLogin(ctx context.Context, login string) (catalog.User, error)
	User(ctx context.Context, id int64) (catalog.User, error)
	CreateEmailToken(ctx context.Context, t Token) error
	// UseEmailToken marks an unused, unexpired token of purpose used and
	// returns its user; any other token is EINVALID. Single use is enforced
	// by a conditional UPDATE.
	UseEmailToken(ctx context.Context, hash []byte, p Purpose, now time.Time) (int64, error)
	// SetPassword replaces the hash and ends every session of the user.
	SetPassword(ctx context.Context, id int64, hash string) error
	MarkEmailVerified(ctx context.Context, id int64, at time.Time) error
	EmailVerifiedAt(ctx context.Context, id int64) (*time.Time, error)
}

// Mailer sends one plain-text message (notify.SMTPMailer is one).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Config is the service's dependencies.
type Config struct {
	Store Store
	// Mailer may be nil: no mail is sent (and nothing fails).
	Mailer Mailer
	// PublicURL prefixes the links in the mails (e.g. https://csm.example).
	PublicURL string
	Now       func() time.Time
	Log       *slog.Logger
}

// Service is the account e-mail capability.
type Service struct{ cfg Config }

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Service{cfg: cfg}
}

// HashToken is the stored form of a token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func (s *Service) issue(ctx context.Context, userID int64, p Purpose, ttl time.Duration) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	tok := hex.EncodeToString(b)
	now := s.cfg.Now().UTC()
	if err := s.cfg.Store.CreateEmailToken(ctx, Token{Hash: HashToken(tok), UserID: userID, Purpose: p,
		CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
		return "", fmt.Errorf("issue %s token: %w", p, err)
	}
	return tok, nil
}

// ForgotPassword e-mails a reset link (in the background) when email
// belongs to an account; it answers the same (nil) whether or not it does.
func (s *Service) ForgotPassword(ctx context.Context, email string) error {
	addr, ok := catalog.NormalizeEmail(email)
	if !ok {
		return nil
	}
	u, err := s.cfg.Store.UserByLogin(ctx, addr)
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("forgot password: %w", err)
	}
	// the token and the mail are made after answering, so an address with
	// an account takes no longer to answer than one without
	go s.mailReset(context.WithoutCancel(ctx), u)
	return nil
}

// mailReset issues a reset token for u and mails the link.
func (s *Service) mailReset(ctx context.Context, u catalog.User) {
	ctx, cancel := context.WithTimeout(ctx, mailTimeout)
	defer cancel()
	tok, err := s.issue(ctx, u.ID, PurposeReset, ResetTTL)
	if err != nil {
		s.cfg.Log.ErrorContext(ctx, "forgot password", "err", err)
		return
	}
	body := fmt.Sprintf("Hello %s,\n\nSomeone asked to reset the password of your Collector Stash account.\n"+
		"Open this link within one hour to choose a new one:\n\n%s/reset-password?token=%s\n\n"+
		"If it was not you, ignore this message; your password stays as it is.\n", u.Username, s.cfg.PublicURL, tok)
	s.send(ctx, u.Email, "Reset your Collector Stash password", body)
}

// mailTimeout bounds one background mail (token and SMTP exchange).
const mailTimeout = 30 * time.Second

// ResetPassword sets a new password with a reset token and ends every
// session of the account. A used, expired or unknown token is EINVALID.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	if msg := catalog.CheckPassword(newPassword); msg != "" {
		return catalog.Errorf(catalog.EINVALID, "%s", msg)
	}
	id, err := s.cfg.Store.UseEmailToken(ctx, HashToken(token), PurposeReset, s.cfg.Now().UTC())
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if err := s.cfg.Store.SetPassword(ctx, id, catalog.HashPassword(newPassword)); err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	return nil
}

// SendVerification e-mails a verification link to the account (no-op
// without a mailer; EINVALID when already verified). The mail leaves in the
// background.
func (s *Service) SendVerification(ctx context.Context, userID int64) error {
	if s.cfg.Mailer == nil {
		return nil
	}
	at, err := s.cfg.Store.EmailVerifiedAt(ctx, userID)
	if err != nil {
		return fmt.Errorf("send verification: %w", err)
	}
	if at != nil {
		return catalog.Errorf(catalog.EINVALID, "E-mail address already verified")
	}
	u, err := s.cfg.Store.User(ctx, userID)
	if err != nil {
		return fmt.Errorf("send verification: %w", err)
	}
	tok, err := s.issue(ctx, userID, PurposeVerify, VerifyTTL)
	if err != nil {
		return fmt.Errorf("send verification: %w", err)
	}
	body := fmt.Sprintf("Hello %s,\n\nConfirm the e-mail address of your Collector Stash account by opening:\n\n"+
		"%s/auth/verify-email?token=%s\n\nYou need a verified address to sell on the marketplace.\n", u.Username, s.cfg.PublicURL, tok)
	go func() { // the SMTP exchange does not hold up sign-up
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mailTimeout)
		defer cancel()
		s.send(ctx, u.Email, "Confirm your e-mail address", body)
	}()
	return nil
}

// VerifyEmail marks the token's account verified (EINVALID for a used,
// expired or unknown token).
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	now := s.cfg.Now().UTC()
	id, err := s.cfg.Store.UseEmailToken(ctx, HashToken(token), PurposeVerify, now)
	if err != nil {
		return fmt.Errorf("verify email: %w", err)
	}
	if err := s.cfg.Store.MarkEmailVerified(ctx, id, now); err != nil {
		return fmt.Errorf("verify email: %w", err)
	}
	return nil
}

// Verified reports whether the account's e-mail address is verified (the
// marketplace's seller check).
func (s *Service) Verified(ctx context.Context, userID int64) (bool, error) {
	at, err := s.cfg.Store.EmailVerifiedAt(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("verified: %w", err)
	}
	return at != nil, nil
}

func (s *Service) send(ctx context.Context, to, subject, body string) {
	if s.cfg.Mailer == nil {
		return
	}
	if err := s.cfg.Mailer.Send(ctx, to, subject, body); err != nil {
		s.cfg.Log.ErrorContext(ctx, "account mail", "err", err)
	}
}
