package e2e

import (
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/accountmail"
	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/scanpwa"
)

// TestSignupBrowser signs a new user up in headless Chromium: /login links
// to /signup; a bad username and password show the register route's
// messages next to their fields; fixed, the user lands signed in.
func TestSignupBrowser(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	pages, err := scanpwa.New()
	require.NoError(t, err)
	h, err := api.New(api.Config{Catalog: db, Accounts: db, Keys: db, Pages: pages,
		SessionSecret: []byte("signup-secret-signup-secret-signup!!"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)

	b := browser(t, filepath.Join(t.TempDir(), "no-camera.y4m"))
	ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	defer cancel()

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login?next=/scan-pwa")))
	waitJS(t, ctx, "the login page", `!!document.getElementById("signup-link")`)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("signup-link"))))
	waitJS(t, ctx, "the sign-up page", `location.pathname === "/signup" && !!document.getElementById("signup")`)

	// bad username and password: both messages inline, no account
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), "a!"),
		chromedp.SendKeys(chromedp.ID("email"), "newbie@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), "short"),
		chromedp.Click(chromedp.ID("signup-submit"))))
	waitJS(t, ctx, "the inline errors", `!document.getElementById("username-error").hidden && !document.getElementById("password-error").hidden`)
	require.Contains(t, text(t, ctx, "#username-error"), "username must be 3-30 characters")
	require.Contains(t, text(t, ctx, "#password-error"), "8")
	_, err = db.UserByLogin(t.Context(), "newbie@example.com")
	require.Error(t, err)

	// fixed: signed in on the next page
	_, err = js[bool](ctx, `(document.getElementById("username").value = "newbie", document.getElementById("password").value = "a-good-password-1", true)`)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("signup-submit"))))
	waitJS(t, ctx, "the signed-in page", `location.pathname === "/scan-pwa"`)
	me, err := js[string](ctx, `fetch("/auth/me", {credentials: "include"}).then(r => r.json()).then(u => u.username)`)
	require.NoError(t, err)
	require.Equal(t, "newbie", me)
}

// smtpBox is an in-process SMTP server keeping every message body.
type smtpBox struct {
	mu   sync.Mutex
	msgs []string
}

func (b *smtpBox) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSess{box: b}, nil }

type smtpSess struct{ box *smtpBox }

func (s *smtpSess) Reset()                               {}
func (s *smtpSess) Logout() error                        { return nil }
func (s *smtpSess) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSess) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *smtpSess) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, string(b))
	s.box.mu.Unlock()
	return nil
}

// TestPasswordResetBrowser: /login → forgot-password → the e-mailed link →
// a new password → signed in with it; the old session has ended.
func TestPasswordResetBrowser(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	box := &smtpBox{}
	ms := smtp.NewServer(box)
	ms.Domain = "localhost"
	ms.ReadTimeout, ms.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = ms.Serve(l) }()
	t.Cleanup(func() { _ = ms.Close() })
	mailer, err := notify.NewSMTPMailer(notify.SMTPConfig{Addr: l.Addr().String(), From: "Collector Stash <accounts@csm.example>"})
	require.NoError(t, err)
	pages, err := scanpwa.New()
	require.NoError(t, err)
	am := accountmail.New(accountmail.Config{Store: db, Mailer: mailer, PublicURL: "", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h, err := api.New(api.Config{Catalog: db, Accounts: db, Keys: db, Pages: pages, AccountMail: am,
		SessionSecret: []byte("reset-secret-reset-secret-reset-secret"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, h))
	t.Cleanup(srv.Close)
	srvURL := srv.URL

	b := browser(t, filepath.Join(t.TempDir(), "no-camera.y4m"))
	old, cancelOld := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	defer cancelOld()
	require.NoError(t, chromedp.Do(old, chromedp.Navigate(srvURL+"/signup")))
	require.NoError(t, chromedp.Do(old,
		chromedp.SendKeys(chromedp.ID("username"), "forgetful"),
		chromedp.SendKeys(chromedp.ID("email"), "forgetful@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), "first-password-1"),
		chromedp.Click(chromedp.ID("signup-submit"))))
	waitJS(t, old, "signed in", `location.pathname === "/scan-pwa"`)

	ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srvURL+"/login")))
	waitJS(t, ctx, "the forgot link", `!!document.getElementById("forgot-link")`)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.ID("forgot-link"))))
	waitJS(t, ctx, "the forgot page", `location.pathname === "/forgot-password" && !!document.getElementById("forgot")`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("email"), "forgetful@example.com"),
		chromedp.Click(chromedp.ID("forgot-submit"))))
	waitJS(t, ctx, "the answer", `!document.getElementById("forgot-done").hidden`)

	re := regexp.MustCompile(`/reset-password\?token=[0-9a-f]{64}`)
	var link string
	require.Eventually(t, func() bool {
		box.mu.Lock()
		defer box.mu.Unlock()
		for _, m := range box.msgs {
			if l := re.FindString(m); l != "" {
				link = l
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond)

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srvURL+link)))
	waitJS(t, ctx, "the reset page", `!!document.getElementById("reset")`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("new-password"), "second-password-2"),
		chromedp.Click(chromedp.ID("reset-submit"))))
	waitJS(t, ctx, "done", `!document.getElementById("reset-done").hidden`)

	// the old browser's session has ended; the new password signs in
	status, err := js[int](old, `fetch("/auth/me", {credentials: "include"}).then(r => r.status)`)
	require.NoError(t, err)
	require.Equal(t, 401, status)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srvURL+"/login?next=/scan-pwa")))
	waitJS(t, ctx, "the login page", `!!document.getElementById("login")`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), "forgetful"),
		chromedp.SendKeys(chromedp.ID("password"), "second-password-2"),
		chromedp.Click(chromedp.ID("login-submit"))))
	waitJS(t, ctx, "signed in again", `location.pathname === "/scan-pwa"`)
}
