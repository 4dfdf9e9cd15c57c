package e2e

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
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
