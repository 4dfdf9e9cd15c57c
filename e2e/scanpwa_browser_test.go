package e2e

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/recognizer/synth"
)

// writeY4M writes frames of img as a YUV4MPEG2 (4:2:0, full-range BT.601)
// file: Chromium's fake camera plays it in a loop.
func writeY4M(path string, img *image.RGBA, frames int) error {
	b := img.Bounds()
	w, h := b.Dx()&^1, b.Dy()&^1
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n", w, h)
	y := make([]byte, w*h)
	u := make([]byte, w*h/4)
	v := make([]byte, w*h/4)
	clamp := func(x float64) byte { return byte(min(max(x, 0), 255)) }
	for j := 0; j < h; j++ {
		for i := 0; i < w; i++ {
			p := img.PixOffset(b.Min.X+i, b.Min.Y+j)
			r, g, bl := float64(img.Pix[p]), float64(img.Pix[p+1]), float64(img.Pix[p+2])
			y[j*w+i] = clamp(0.299*r + 0.587*g + 0.114*bl)
			if i%2 == 0 && j%2 == 0 {
				k := (j/2)*(w/2) + i/2
				u[k] = clamp(128 - 0.168736*r - 0.331264*g + 0.5*bl)
				v[k] = clamp(128 + 0.5*r - 0.418688*g - 0.081312*bl)
			}
		}
	}
	for range frames {
		bw.WriteString("FRAME\n")
		bw.Write(y)
		bw.Write(u)
		bw.Write(v)
	}
	return bw.Flush()
}

// cardCamera renders the demo Charizard, photographs it on a table with the
// synthesiser and writes the fake camera's video file.
func cardCamera(t *testing.T) string {
	t.Helper()
	face, err := demo.RenderCard("pokemon", 441076, "Charizard", "4/102")
	require.NoError(t, err)
	photo, _ := synth.Photo(face, synth.Options{Width: 640, Height: 480, Scale: 0.7, Background: synth.BackgroundWood, Light: 1},
		rand.New(rand.NewPCG(6, 441076)))
	path := filepath.Join(t.TempDir(), "card.y4m")
	require.NoError(t, writeY4M(path, photo, 2))
	return path
}

// browser starts headless Chromium with a fake camera showing video.
func browser(t *testing.T, video string) context.Context {
	t.Helper()
	exe := "/usr/bin/chromium"
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("chromium is required (%s; the toolbox installs it: run through scripts/toolbox.sh exec)", exe)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true), chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	b, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(b))
	return b
}

// js evaluates expr, awaiting a promise.
func js[T any](ctx context.Context, expr string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// waitJS polls a boolean expression until it holds (within 30 s).
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := js[bool](ctx, expr)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			page, _ := js[string](ctx, `document.location.href + "\n" + document.body.innerText + "\n" + [...document.images].map((i) => "img#" + i.id + " " + i.getAttribute("src") + " complete=" + i.complete + " naturalWidth=" + i.naturalWidth).join("\n")`)
			t.Fatalf("timed out waiting for %s (err %v); page:\n%s", what, err, page)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := js[string](ctx, `(document.querySelector(`+fmt.Sprintf("%q", sel)+`) || {}).textContent || ""`)
	require.NoError(t, err)
	return s
}

func TestScanPWABrowser(t *testing.T) {
	t.Parallel()
	f := setupScanSessions(t)
	f.register(t, "collector")
	b := browser(t, cardCamera(t))
	desk, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	defer cancel()
	phone, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	defer cancel()

	// desktop: /scan sends a stranger to /login, which comes back
	require.NoError(t, chromedp.Do(desk, chromedp.Navigate(f.url+"/scan")))
	waitJS(t, desk, "the login page", `location.pathname === "/login" && location.search === "?next=%2Fscan"`)
	require.NoError(t, chromedp.Do(desk,
		chromedp.SendKeys(chromedp.ID("username"), "collector"),
		chromedp.SendKeys(chromedp.ID("password"), "scan-password-1"),
		chromedp.Click(chromedp.ID("login-submit"))))
	waitJS(t, desk, "the desktop page", `location.pathname === "/scan"`)
	waitJS(t, desk, "the session", `document.getElementById("deeplink").href.includes("/scan-pwa?session=")`)
	waitJS(t, desk, "the QR code", `document.getElementById("qr").complete && document.getElementById("qr").naturalWidth === 256`)
	code := text(t, desk, "#code")
	require.Regexp(t, `^[0-9]{6}$`, code)
	deeplink, err := js[string](desk, `document.getElementById("deeplink").href`)
	require.NoError(t, err)
	u, err := url.Parse(deeplink)
	require.NoError(t, err)

	// phone: opens the deeplink (no account), claims, shows the same code
	require.NoError(t, chromedp.Do(phone, chromedp.Navigate(f.url+u.Path+"?"+u.RawQuery)))
	waitJS(t, phone, "the camera", `!document.getElementById("capture").disabled`)
	require.Equal(t, code, text(t, phone, "#code"))
	waitJS(t, desk, "claimed on the desktop", `document.getElementById("state").textContent.startsWith("Connected: ")`)

	// phone: one frame of the fake camera → upload → recognition
	start := time.Now()
	require.NoError(t, chromedp.Do(phone, chromedp.Click(chromedp.ID("capture"))))
	waitJS(t, phone, "the result", `document.getElementById("result-name").textContent === "Charizard"`)
	t.Logf("phone frame → result shown in %v", time.Since(start))
	require.Equal(t, "Base Set", text(t, phone, "#result-set"))
	require.NotEmpty(t, text(t, phone, "#result-confidence"))
	require.Contains(t, text(t, phone, "#candidates"), "Charizard")

	// the desktop followed over SSE
	waitJS(t, desk, "the result on the desktop", `document.getElementById("events").textContent.includes("result 0")`)
	require.Contains(t, text(t, desk, "#cards"), "Charizard")
	photoW, err := js[int](desk, `new Promise(ok => { const i = document.querySelector("#cards img"); i.complete ? ok(i.naturalWidth) : i.onload = () => ok(i.naturalWidth) })`)
	require.NoError(t, err)
	require.Equal(t, 480, photoW, "the 640×480 frame is stored rotated +90°")

	// the PWA's service worker is installed and holds the app shell
	shell, err := js[string](phone, `navigator.serviceWorker.ready.then(() => caches.open("csm-scan-pwa-v1")).then(c => c.keys()).then(ks => ks.map(r => new URL(r.url).pathname).sort().join(","))`)
	require.NoError(t, err)
	require.Contains(t, shell, "/scan-pwa/assets/pwa.js")
	require.Contains(t, shell, "/scan-pwa/manifest.json")

	// phone: done → desktop: completed, then the review screen
	require.NoError(t, chromedp.Do(phone, chromedp.Click(chromedp.ID("complete"))))
	waitJS(t, desk, "completed", `document.getElementById("events").textContent.includes("completed 1")`)
	require.Equal(t, "claimed\nphoto 0\nresult 0\ncompleted 1\n", text(t, desk, "#events"))
	require.NoError(t, chromedp.Do(desk, chromedp.Click(chromedp.ID("review-link"))))
	waitJS(t, desk, "the review screen", `document.querySelectorAll("#review-cards li").length === 1`)
	require.Contains(t, text(t, desk, "#review-cards"), "Charizard · Base Set")
	// "save to collection": the kept card, with the variant picked on the
	// review screen, is confirmed as feedback and added to the collection
	waitJS(t, desk, "the card's variants", `document.querySelector("#review-cards li").dataset.variantsLoaded === "1"`)
	require.Contains(t, text(t, desk, "#review-cards .variant"), "1st edition holofoil")
	_, err = js[bool](desk, `(() => { const s = document.querySelector("#review-cards .variant"); s.value = "1st_edition_holofoil"; return s.value === "1st_edition_holofoil" })()`)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(desk, chromedp.Click(chromedp.ID("save"))))
	waitJS(t, desk, "saved to the collection", `document.getElementById("save-status").textContent === "1 card(s) saved to your collection"`)
	saveOff, err := js[bool](desk, `document.getElementById("save").disabled`)
	require.NoError(t, err)
	require.True(t, saveOff, "saved once: a second click would add the card again")
	var entryCard, entryQty int64
	var entryVariant *int64
	require.NoError(t, f.db.Pool.QueryRow(t.Context(), `SELECT card_id, quantity, variant_id FROM collection_entries`).Scan(&entryCard, &entryQty, &entryVariant))
	require.Equal(t, []int64{441076, 1}, []int64{entryCard, entryQty})
	require.NotNil(t, entryVariant)
	require.Equal(t, int64(441226), *entryVariant, "the 1st edition variant picked on the review screen")

	// "create listings": refused until the user is a seller, then the kept
	// card becomes a draft listing priced from its market price
	require.NoError(t, chromedp.Do(desk, chromedp.Click(chromedp.ID("create-listings"))))
	waitJS(t, desk, "the refusal", `document.getElementById("listings-status").textContent.startsWith("A seller account is required")`)
	st, err := js[int](desk, `fetch("/seller/account", {method: "POST", credentials: "include", headers: {"Content-Type": "application/json"},
		body: JSON.stringify({display_name: "Collector Shop", country: "NL"})}).then(r => r.status)`)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, st)
	require.NoError(t, chromedp.Do(desk, chromedp.Click(chromedp.ID("create-listings"))))
	waitJS(t, desk, "the drafts", `document.getElementById("listings-status").textContent === "1 draft listing(s) created"`)
	var draftName, draftStatus, draftSource string
	var draftPrice int64
	require.NoError(t, f.db.Pool.QueryRow(t.Context(), `SELECT c.name, l.status, l.source, l.price_cents FROM listings l
		JOIN cards c ON c.id = l.card_id`).Scan(&draftName, &draftStatus, &draftSource, &draftPrice))
	require.Equal(t, []string{"Charizard", "draft", "scan"}, []string{draftName, draftStatus, draftSource})
	require.Positive(t, draftPrice)

	// signed in, the PWA recognises directly and sends corrections as feedback
	require.NoError(t, chromedp.Do(desk, chromedp.Navigate(f.url+"/scan-pwa")))
	waitJS(t, desk, "the camera", `!document.getElementById("capture").disabled`)
	require.NoError(t, chromedp.Do(desk, chromedp.Click(chromedp.ID("capture"))))
	waitJS(t, desk, "the result", `document.getElementById("result-name").textContent === "Charizard"`)
	require.NoError(t, chromedp.Do(desk, chromedp.Click(chromedp.CSS("#candidates button"))))
	waitJS(t, desk, "the correction", `document.getElementById("feedback-status").textContent.startsWith("Thanks")`)
	var n int
	require.NoError(t, f.db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM scan_feedback`).Scan(&n))
	require.Equal(t, 2, n)

	// offline: with the server gone, the installed PWA still opens from
	// its cached app shell (the page is cached on its first load the
	// service worker controls)
	waitJS(t, desk, "the service worker in control", `navigator.serviceWorker.controller !== null`)
	require.NoError(t, chromedp.Do(desk, chromedp.Reload()))
	waitJS(t, desk, "the page cached", `caches.open("csm-scan-pwa-v1").then(c => c.match("/scan-pwa")).then(r => r !== undefined)`)
	f.stop()
	require.NoError(t, chromedp.Do(desk, chromedp.Reload()))
	waitJS(t, desk, "the app shell offline", `document.getElementById("capture") !== null && [...document.styleSheets].some(s => s.href && s.href.endsWith("/app.css") && s.cssRules.length > 0)`)
	_, err = js[bool](desk, `fetch("/api/health").then(() => true)`)
	require.Error(t, err, "the API itself is gone")
}

func TestScanPWAPages(t *testing.T) {
	t.Parallel()
	f := setupScanSessions(t)
	cookie := f.register(t, "pages")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, cookie string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, f.url+path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", "tcg_session="+cookie)
		}
		res, err := noRedirect.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res
	}
	for path, next := range map[string]string{"/scan-pwa": "/scan-pwa", "/scan": "/scan", "/scan-sessions/new": "/scan",
		"/scan-sessions/01ARZ3NDEKTSV4RRFFQ69G5FAV/review": "/scan-sessions/01ARZ3NDEKTSV4RRFFQ69G5FAV/review"} {
		res := get(path, "")
		require.Equal(t, http.StatusFound, res.StatusCode, path)
		require.Equal(t, "/login?next="+url.QueryEscape(next), res.Header.Get("Location"), path)
		res = get(path, cookie)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		require.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
		require.Contains(t, res.Header.Get("Content-Security-Policy"), "script-src 'self'")
	}
	require.Equal(t, http.StatusOK, get("/scan-pwa?session=x&t=ct_y", "").StatusCode, "a deeplink needs no account")
	require.Equal(t, http.StatusOK, get("/login?next=//evil.example", "").StatusCode)
	res := get("/scan-pwa/sw.js", "")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "/scan-pwa", res.Header.Get("Service-Worker-Allowed"))
	res = get("/scan-pwa/manifest.json", "")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, http.StatusOK, get("/scan-pwa/assets/pwa.js", "").StatusCode)
	require.Equal(t, http.StatusNotFound, get("/scan-pwa/assets/nope.js", "").StatusCode)
	require.Equal(t, http.StatusNotFound, get("/scan-sessions/..%2F..%2Fetc/review", cookie).StatusCode)

	// the login page keeps next on this site
	req, _ := http.NewRequest(http.MethodGet, f.url+"/login?next=//evil.example", nil)
	r2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer r2.Body.Close()
	buf := new(strings.Builder)
	_, _ = fmt.Fprint(buf, "")
	body := make([]byte, 4096)
	n, _ := r2.Body.Read(body)
	require.Contains(t, string(body[:n]), `data-next="/scan-pwa"`)
}
