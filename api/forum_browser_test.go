package api_test

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// hostilePost tries every way a forum post could run code in a reader's
// browser; each payload would set window.pwned.
const hostilePost = "Hello **collectors**\n\n" +
	"<script>window.pwned = 'script'</script>\n\n" +
	"<img src=x onerror=\"window.pwned = 'onerror'\">\n\n" +
	"[click me](javascript:window.pwned='link')\n\n" +
	"[data](data:text/html,<script>parent.pwned='data'</script>)\n\n" +
	"<a href=\"javascript:window.pwned='raw-link'\">raw link</a>\n\n" +
	"<svg onload=\"window.pwned = 'svg'\"></svg>\n\n" +
	"<iframe src=\"javascript:parent.pwned='iframe'\"></iframe>\n\n" +
	"![img](javascript:window.pwned='img')"

// pageIsClean checks the rendered posts in the page's DOM.
const pageIsClean = `(() => {
  const bodies = [...document.querySelectorAll(".post-body")];
  if (bodies.length === 0) return "no posts";
  if (window.pwned !== undefined) return "ran: " + window.pwned;
  for (const b of bodies) {
    if (b.querySelector("script, iframe, svg, object, embed, style")) return "element: " + b.innerHTML;
    for (const e of b.querySelectorAll("*")) {
      for (const a of e.attributes) {
        if (a.name.startsWith("on")) return "handler: " + e.outerHTML;
        if ((a.name === "href" || a.name === "src") && /^\s*(javascript|data|vbscript):/i.test(a.value)) return "url: " + e.outerHTML;
      }
    }
  }
  return "clean";
})()`

// TestForumSanitisingInChromium: hostile Markdown posted through the API
// and through the page's own reply form never runs in headless Chromium.
func TestForumSanitisingInChromium(t *testing.T) {
	t.Parallel()
	const exe = "/usr/bin/chromium"
	_, err := os.Stat(exe)
	require.NoError(t, err, "chromium must be installed (run inside the toolbox)")
	f := setupCommunity(t)
	alice, _, _ := f.member("alice")
	bob, _, bobName := f.member("bob")
	th := newThread(t, alice, "general", "Hostile", hostilePost)
	url := f.url + "/forum/t/" + strconv.FormatInt(th.Thread.ID, 10)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true))
	defer cancelAlloc()
	b, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()

	require.NoError(t, chromedp.Do(b,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(".post-body")),
		chromedp.Sleep(300*time.Millisecond))) // let any onerror/onload fire
	state, err := chromedp.Run(b, chromedp.Evaluate[string](pageIsClean))
	require.NoError(t, err)
	require.Equal(t, "clean", state)
	strong, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(".post-body strong")))
	require.NoError(t, err)
	require.Equal(t, "collectors", strong, "the Markdown still renders")

	// bob signs in and replies with the same payload through the page's form
	status, err := chromedp.Run(b, chromedp.Evaluate[int](`fetch("/auth/login", {method: "POST",
		headers: {"Content-Type": "application/json"}, body: JSON.stringify({username: `+strconv.Quote(bobName)+`, password: `+strconv.Quote(testPassword)+`})}).then(r => r.status)`,
		chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, chromedp.Do(b,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("reply-body")),
		chromedp.SetValue(chromedp.ID("reply-body"), hostilePost),
		chromedp.Click(chromedp.ID("reply-submit"))))
	deadline := time.Now().Add(20 * time.Second)
	var n int
	for time.Now().Before(deadline) {
		n, _ = chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll(".post-body").length`))
		if n == 2 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, 2, n, "the reply shows")
	require.NoError(t, chromedp.Do(b, chromedp.Sleep(300*time.Millisecond)))
	state, err = chromedp.Run(b, chromedp.Evaluate[string](pageIsClean))
	require.NoError(t, err)
	require.Equal(t, "clean", state)

	// and the stored reply is the sanitised HTML the API serves
	r := bob.do(http.MethodGet, "/api/forum/threads/"+strconv.FormatInt(th.Thread.ID, 10), nil)
	require.Equal(t, http.StatusOK, r.status)
	require.NotContains(t, string(r.body), "<script")
}
