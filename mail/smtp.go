// Package mail sends plain-text e-mail through an SMTP server (STARTTLS
// when the server offers it, PLAIN auth when a username is set).
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTP is an SMTP client configuration (CSM_SMTP_ADDR, CSM_SMTP_FROM,
// CSM_SMTP_USERNAME, CSM_SMTP_PASSWORD).
type SMTP struct {
	Addr     string // host:port
	From     string // "Collector Stash Market <noreply@example.com>"
	Username string
	Password string
	// Now stamps the Date header (time.Now by default).
	Now func() time.Time
}

// Send delivers one plain-text message to one recipient.
func (s SMTP) Send(ctx context.Context, to, subject, body string) error {
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("mail: from %q: %w", s.From, err)
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("mail: to: %w", err)
	}
	msg, err := s.message(from, rcpt, subject, body)
	if err != nil {
		return err
	}
	var auth sasl.Client
	if s.Username != "" {
		auth = sasl.NewPlainClient("", s.Username, s.Password)
	}
	done := make(chan error, 1)
	go func() { done <- s.deliver(auth, from.Address, rcpt.Address, msg) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("mail: send: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("mail: send: %w", ctx.Err())
	}
}

// deliver opens the connection (upgraded with STARTTLS when offered),
// authenticates and sends.
func (s SMTP) deliver(auth sasl.Client, from, to string, msg []byte) error {
	c, err := smtp.Dial(s.Addr)
	if err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		_ = c.Close()
		host, _, _ := net.SplitHostPort(s.Addr)
		if c, err = smtp.DialStartTLS(s.Addr, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	}
	defer c.Close()
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return err
		}
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

// message renders the RFC 5322 message (CRLF line ends, UTF-8 body; the
// SMTP client dot-stuffs the DATA).
func (s SMTP) message(from, to *mail.Address, subject, body string) ([]byte, error) {
	if strings.ContainsAny(subject, "\r\n") {
		return nil, fmt.Errorf("mail: subject has a line break")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := from.Address[strings.LastIndex(from.Address, "@")+1:]
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n",
		from.String(), to.String(), mime.QEncoding.Encode("utf-8", subject), now().Format(time.RFC1123Z), hex.EncodeToString(id), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		b.WriteString(line + "\r\n")
	}
	return b.Bytes(), nil
}
