package api_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
)

// A route group whose dependencies are only partly set is an error from
// api.New, not a panic or a group silently left out; recognition without
// access control must be asked for.
func TestNewRejectsPartialConfig(t *testing.T) {
	t.Parallel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var (
		accounts catalog.AccountStore     = struct{ catalog.AccountStore }{}
		keys     catalog.KeyStore         = struct{ catalog.KeyStore }{}
		scans    catalog.ScanStore        = struct{ catalog.ScanStore }{}
		queue    catalog.ScanQueue        = struct{ catalog.ScanQueue }{}
		sessions catalog.ScanSessionStore = struct{ catalog.ScanSessionStore }{}
		events   catalog.ScanEvents       = struct{ catalog.ScanEvents }{}
		secret                            = []byte("0123456789abcdef0123456789abcdef")
		valid                             = func([]byte) error { return nil }
	)
	rec := func(c api.Config) api.Config {
		c.Scans, c.Queue, c.ValidateImage, c.DataDir = scans, queue, valid, t.TempDir()
		return c
	}
	bad := map[string]api.Config{
		"accounts without keys":          {Accounts: accounts, SessionSecret: secret},
		"keys without accounts":          {Keys: keys},
		"accounts without secret":        {Accounts: accounts, Keys: keys},
		"accounts with a short secret":   {Accounts: accounts, Keys: keys, SessionSecret: []byte("short")},
		"recognition without access":     rec(api.Config{}),
		"recognition without queue":      {Scans: scans, ValidateImage: valid, DataDir: "d", OpenRecognition: true},
		"recognition without validator":  {Scans: scans, Queue: queue, DataDir: "d", OpenRecognition: true},
		"recognition without data dir":   {Scans: scans, Queue: queue, ValidateImage: valid, OpenRecognition: true},
		"open recognition with accounts": rec(api.Config{Accounts: accounts, Keys: keys, SessionSecret: secret, OpenRecognition: true}),
		"open recognition without scans": {OpenRecognition: true},
		"scan sessions without events":   rec(api.Config{Accounts: accounts, Keys: keys, SessionSecret: secret, ScanSessions: sessions}),
		"scan sessions without accounts": rec(api.Config{OpenRecognition: true, ScanSessions: sessions, ScanEvents: events}),
		"scan sessions without scans":    {Accounts: accounts, Keys: keys, SessionSecret: secret, ScanSessions: sessions, ScanEvents: events},
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
		"catalogue only":   {},
		"open recognition": rec(api.Config{OpenRecognition: true}),
		"accounts":         rec(api.Config{Accounts: accounts, Keys: keys, SessionSecret: secret}),
		"scan sessions":    rec(api.Config{Accounts: accounts, Keys: keys, SessionSecret: secret, ScanSessions: sessions, ScanEvents: events}),
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
