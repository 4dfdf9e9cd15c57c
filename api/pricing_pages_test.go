package api_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromium starts headless Chromium (the toolbox's); a missing browser fails.
func chromium(t *testing.T) context.Context {
	t.Helper()
	exe := "/usr/bin/chromium"
	_, err := os.Stat(exe)
	require.NoError(t, err, "chromium is part of the toolbox (docker/packages.txt)")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(900, 1400),
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

func TestPricingPagesInChromium(t *testing.T) {
	t.Parallel()
	f := setupPricing(t)
	_, err := f.svc.RefreshMarket(context.Background())
	require.NoError(t, err)
	b := chromium(t)

	js := func(expr string) int {
		t.Helper()
		n, err := chromedp.Run(b, chromedp.Evaluate[int](expr))
		require.NoError(t, err, expr)
		return n
	}
	shot := func(file string) {
		t.Helper()
		png, err := chromedp.Run(b, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		if dir := os.Getenv("CSM_SCREENSHOT_DIR"); dir != "" {
			require.NoError(t, os.WriteFile(dir+"/"+file, png, 0o644))
		}
	}
	require.NoError(t, chromedp.Do(b, chromedp.Navigate(f.url+"/cards/441076"), chromedp.WaitVisible(chromedp.ID("card-name"))))
	name, err := chromedp.Run(b, chromedp.Evaluate[string](`document.getElementById("card-name").textContent`))
	require.NoError(t, err)
	require.Equal(t, "Charizard", name)
	charts := js(`document.querySelectorAll("figure.chart").length`)
	require.GreaterOrEqual(t, charts, 3, "one chart per source and region: cardmarket EU, pricecharting US, tcgcsv US")
	drawn := js(`[...document.querySelectorAll("figure.chart polyline")].filter(p => p.getBBox().width > 500 && p.getBBox().height > 20).length`)
	require.Equal(t, charts, drawn, "every chart draws a line across its width")
	shot("card-page.png")

	require.NoError(t, chromedp.Do(b, chromedp.Navigate(f.url+"/market/movers?period=30d"), chromedp.WaitVisible(chromedp.CSS("h1"))))
	require.Positive(t, js(`document.querySelectorAll("#gainers a, #losers a").length`))
	shot("movers-page.png")

	res, err := http.Get(f.url + "/cards/999999999")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, 404, res.StatusCode)
	require.Contains(t, string(body), "Card not found")
	require.Equal(t, 422, f.get("/cards/abc", nil).StatusCode)
	require.Equal(t, 422, f.get("/market/movers?period=1y", nil).StatusCode)
}
