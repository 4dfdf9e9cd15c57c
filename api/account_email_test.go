package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/accountmail"
	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/scanpwa"
)

// verifyEmail marks an account's e-mail address verified through the store.
func (f *acct) verifyEmail(username string) {
	f.t.Helper()
	u, err := f.db.UserByLogin(f.t.Context(), username)
	require.NoError(f.t, err)
	require.NoError(f.t, f.db.MarkEmailVerified(f.t.Context(), u.ID, f.clock.Now()))
}

// acctMail is the accounts API with password reset and e-mail
// verification mailing through an in-process SMTP server.
type acctMail struct {
	*acct
	box *mailbox
}

func setupAccountMail(t *testing.T) *acctMail {
	t.Helper()
	box := startMailbox(t)
	m := &acctMail{box: box}
	m.acct = setupAccounts(t, acctOptions{noLimiter: true, configure: func(f *acct, cfg *api.Config) {
		mailer, err := notify.NewSMTPMailer(notify.SMTPConfig{Addr: box.addr, From: "Collector Stash <accounts@csm.example>"})
		require.NoError(t, err)
		cfg.AccountMail = accountmail.New(accountmail.Config{Store: f.db, Mailer: mailer,
			PublicURL: "https://csm.example", Now: f.clock.Now})
		pages, err := scanpwa.New()
		require.NoError(t, err)
		cfg.Pages = pages
	}})
	return m
}

var tokenRE = regexp.MustCompile(`(reset-password|verify-email)\?token=([0-9a-f]{64})`)

// token waits for the n-th mail to addr carrying a link of kind and returns
// its token.
func (m *acctMail) token(addr, kind string, n int) string {
	m.t.Helper()
	var toks []string
	require.Eventually(m.t, func() bool {
		toks = toks[:0]
		for _, msg := range m.box.all() {
			if len(msg.to) == 0 || msg.to[0] != addr {
				continue
			}
			for _, mm := range tokenRE.FindAllStringSubmatch(msg.data, -1) {
				if mm[1] == kind {
					toks = append(toks, mm[2])
				}
			}
		}
		return len(toks) >= n
	}, 5*time.Second, 20*time.Millisecond)
	return toks[n-1]
}

func TestAccountPasswordResetByEmail(t *testing.T) {
	t.Parallel()
	m := setupAccountMail(t)
	name := uniqueName("reset")
	addr := name + "@example.com"
	first := m.register(name)
	second := m.browser()
	require.Equal(t, http.StatusOK, second.do(http.MethodPost, "/auth/login", map[string]any{"username": name, "password": testPassword}).status)

	// the same answer for a known and an unknown address
	known := m.anon().do(http.MethodPost, "/auth/password/forgot", map[string]any{"email": strings.ToUpper(addr)})
	require.Equal(t, http.StatusOK, known.status, "%s", known.body)
	unknown := m.anon().do(http.MethodPost, "/auth/password/forgot", map[string]any{"email": "nobody-" + addr})
	require.Equal(t, http.StatusOK, unknown.status)
	require.Equal(t, string(known.body), string(unknown.body))
	r := m.anon().do(http.MethodPost, "/auth/password/forgot", map[string]any{})
	require.Equal(t, http.StatusBadRequest, r.status)

	tok := m.token(addr, "reset-password", 1)
	// only its hash is stored
	var stored int
	require.NoError(t, m.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM account_email_tokens WHERE token_hash = $1`, accountmail.HashToken(tok)).Scan(&stored))
	require.Equal(t, 1, stored)
	require.NoError(t, m.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM account_email_tokens WHERE token_hash = $1`, []byte(tok)).Scan(&stored))
	require.Equal(t, 0, stored)

	// the sign-up page, linked from /login
	page := m.anon().do(http.MethodGet, "/signup?next=/scan", nil)
	require.Equal(t, http.StatusOK, page.status)
	require.Contains(t, string(page.body), `id="signup"`)
	login := m.anon().do(http.MethodGet, "/login", nil)
	require.Contains(t, string(login.body), `href="/signup`)
	require.Contains(t, string(login.body), `href="/forgot-password"`)
	page = m.anon().do(http.MethodGet, "/forgot-password", nil)
	require.Equal(t, http.StatusOK, page.status)
	require.Contains(t, string(page.body), `id="forgot"`)

	// the page the link opens
	page = m.anon().do(http.MethodGet, "/reset-password?token="+tok, nil)
	require.Equal(t, http.StatusOK, page.status)
	require.Contains(t, string(page.body), tok)

	// a too-short password: 400, token still usable
	r = m.anon().do(http.MethodPost, "/auth/password/reset", map[string]any{"token": tok, "new_password": "short"})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	r = m.anon().do(http.MethodPost, "/auth/password/reset", map[string]any{"token": "nope", "new_password": "a-new-password-1"})
	require.Equal(t, http.StatusBadRequest, r.status)
	r = m.anon().do(http.MethodPost, "/auth/password/reset", map[string]any{"token": tok, "new_password": "a-new-password-1"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	// every session ended; the new password works, the old does not
	require.Equal(t, http.StatusUnauthorized, first.do(http.MethodGet, "/auth/me", nil).status)
	require.Equal(t, http.StatusUnauthorized, second.do(http.MethodGet, "/auth/me", nil).status)
	require.Equal(t, http.StatusUnauthorized, m.browser().do(http.MethodPost, "/auth/login", map[string]any{"username": name, "password": testPassword}).status)
	require.Equal(t, http.StatusOK, m.browser().do(http.MethodPost, "/auth/login", map[string]any{"username": name, "password": "a-new-password-1"}).status)

	// single use
	r = m.anon().do(http.MethodPost, "/auth/password/reset", map[string]any{"token": tok, "new_password": "another-password-2"})
	require.Equal(t, http.StatusBadRequest, r.status)

	// expired after an hour
	require.Equal(t, http.StatusOK, m.anon().do(http.MethodPost, "/auth/password/forgot", map[string]any{"email": addr}).status)
	tok2 := m.token(addr, "reset-password", 2)
	m.clock.Add(accountmail.ResetTTL + time.Second)
	r = m.anon().do(http.MethodPost, "/auth/password/reset", map[string]any{"token": tok2, "new_password": "another-password-2"})
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "Invalid or expired token", r.detail())
}

func TestAccountResetTokenSingleUseRace(t *testing.T) {
	t.Parallel()
	m := setupAccountMail(t)
	name := uniqueName("race")
	m.register(name)
	require.Equal(t, http.StatusOK, m.anon().do(http.MethodPost, "/auth/password/forgot", map[string]any{"email": name + "@example.com"}).status)
	tok := m.token(name+"@example.com", "reset-password", 1)
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = m.anon().do(http.MethodPost, "/auth/password/reset", map[string]any{"token": tok, "new_password": "race-password-1"}).status
		}()
	}
	wg.Wait()
	okN := 0
	for _, c := range codes {
		if c == http.StatusOK {
			okN++
		} else {
			require.Equal(t, http.StatusBadRequest, c)
		}
	}
	require.Equal(t, 1, okN)
}

func TestAccountEmailVerification(t *testing.T) {
	t.Parallel()
	m := setupAccountMail(t)
	name := uniqueName("verify")
	addr := name + "@example.com"
	c := m.register(name) // mails a verification link
	tok := m.token(addr, "verify-email", 1)

	u, err := m.db.UserByLogin(t.Context(), name)
	require.NoError(t, err)
	at, err := m.db.EmailVerifiedAt(t.Context(), u.ID)
	require.NoError(t, err)
	require.Nil(t, at)

	// resend needs a session
	require.Equal(t, http.StatusUnauthorized, m.anon().do(http.MethodPost, "/auth/verify-email/resend", nil).status)
	r := c.do(http.MethodPost, "/auth/verify-email/resend", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	tok2 := m.token(addr, "verify-email", 2)
	require.NotEqual(t, tok, tok2)

	require.Equal(t, http.StatusBadRequest, m.anon().do(http.MethodGet, "/auth/verify-email", nil).status)
	require.Equal(t, http.StatusBadRequest, m.anon().do(http.MethodGet, "/auth/verify-email?token=bogus", nil).status)
	r = m.anon().do(http.MethodGet, "/auth/verify-email?token="+tok, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	at, err = m.db.EmailVerifiedAt(t.Context(), u.ID)
	require.NoError(t, err)
	require.NotNil(t, at)
	// used
	require.Equal(t, http.StatusBadRequest, m.anon().do(http.MethodGet, "/auth/verify-email?token="+tok, nil).status)
	// a browser opening a used link gets a page saying so
	r = m.anon().do(http.MethodGet, "/auth/verify-email?token="+tok, nil, "Accept", "text/html,*/*;q=0.8")
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), "Invalid or expired token")
	require.Contains(t, r.header.Get("Content-Type"), "text/html")
	r = m.anon().do(http.MethodGet, "/auth/verify-email?token="+tok2, nil, "Accept", "text/html,*/*;q=0.8")
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), `id="verify-done"`)
	// already verified: resend is 400
	r = c.do(http.MethodPost, "/auth/verify-email/resend", nil)
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
}
