package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/community"
	"github.com/collectorstash/csm/market"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/scanning"
)

// A route group whose dependencies are only partly set is an error from
// api.New, not a panic or a group silently left out; recognition without
// access control must be asked for.
func TestNewRejectsPartialConfig(t *testing.T) {
	t.Parallel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var (
		accounts catalog.AccountStore = struct{ catalog.AccountStore }{}
		keys     catalog.KeyStore     = struct{ catalog.KeyStore }{}
		scans                         = scanning.New(scanning.Config{})
		secret                        = []byte("0123456789abcdef0123456789abcdef")
		valid                         = func([]byte) error { return nil }
		signedIn                      = func(c api.Config) api.Config {
			c.Accounts, c.Keys, c.SessionSecret = accounts, keys, secret
			return c
		}
	)
	t.Cleanup(func() { _ = scans.Close() })
	rec := func(c api.Config) api.Config {
		c.Scanning, c.ValidateImage = scans, valid
		return c
	}
	bad := map[string]api.Config{
		"accounts without keys":          {Accounts: accounts, SessionSecret: secret},
		"keys without accounts":          {Keys: keys},
		"accounts without secret":        {Accounts: accounts, Keys: keys},
		"accounts with a short secret":   {Accounts: accounts, Keys: keys, SessionSecret: []byte("short")},
		"recognition without access":     rec(api.Config{}),
		"recognition without validator":  {Scanning: scans, OpenRecognition: true},
		"open recognition with accounts": rec(signedIn(api.Config{OpenRecognition: true})),
		"open recognition without scans": {OpenRecognition: true},
		"detect without recognition":     {Detect: struct{ catalog.QuickDetector }{}},
		"collection without accounts":    {Collection: &collection.Service{}},
		"notifications without accounts": {Notify: &notify.Service{}},
		"market without accounts":        {Market: &market.Service{}},
		"community without accounts":     {Community: &community.Service{}},
		"queue UI without accounts":      {QueueUI: http.NotFoundHandler()},
		"bad trusted proxy":              {TrustedProxies: []string{"not-an-ip"}},
	}
	for name, cfg := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg.Catalog, cfg.Log = fakeReader{}, quiet
			h, err := api.New(cfg)
			require.Error(t, err)
			require.Nil(t, h)
		})
	}
	good := map[string]api.Config{
		"catalogue only":            {},
		"open recognition":          rec(api.Config{OpenRecognition: true}),
		"recognition with accounts": rec(signedIn(api.Config{})),
		"accounts":                  signedIn(api.Config{}),
	}
	for name, cfg := range good {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg.Catalog, cfg.Log = fakeReader{}, quiet
			h, err := api.New(cfg)
			require.NoError(t, err)
			require.NotNil(t, h)
		})
	}
}
