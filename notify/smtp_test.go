package notify_test

import (
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/notify"
)

type box struct {
	mu   sync.Mutex
	rcpt []string
	data []string
}

func (b *box) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{b: b}, nil }

type session struct{ b *box }

func (s *session) Reset()                               {}
func (s *session) Logout() error                        { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.b.mu.Lock()
	s.b.rcpt = append(s.b.rcpt, to)
	s.b.mu.Unlock()
	return nil
}
func (s *session) Data(r io.Reader) error {
	d, err := io.ReadAll(r)
	s.b.mu.Lock()
	s.b.data = append(s.b.data, string(d))
	s.b.mu.Unlock()
	return err
}

// TestSMTPMailer sends through an in-process SMTP server (go-smtp).
func TestSMTPMailer(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	b := &box{}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	_, err = notify.NewSMTPMailer(notify.SMTPConfig{Addr: "nohost", From: "a@b.c"})
	require.Error(t, err)
	_, err = notify.NewSMTPMailer(notify.SMTPConfig{Addr: "127.0.0.1:25", From: "not an address"})
	require.Error(t, err)

	m, err := notify.NewSMTPMailer(notify.SMTPConfig{Addr: l.Addr().String(), From: "CSM <alerts@csm.example>", Timeout: 5 * time.Second})
	require.NoError(t, err)
	require.NoError(t, m.Send(t.Context(), "alice@example.com", "Glurak hat dein Ziel erreicht – €712.50", "Now €712.50\n.\nend"))
	require.Error(t, m.Send(t.Context(), "not an address", "x", "y"))
	require.Equal(t, []string{"alice@example.com"}, b.rcpt)
	msg, err := mail.ReadMessage(strings.NewReader(b.data[0]))
	require.NoError(t, err)
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, "Glurak hat dein Ziel erreicht – €712.50", subj)
	body, _ := io.ReadAll(msg.Body)
	require.Equal(t, "Now €712.50\r\n.\r\nend\r\n", string(body), "a lone dot survives dot-stuffing")
}
