package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// FuzzAPIKeyFrom checks the credential extraction from the three
// transports: it never panics, returns a key only when one was presented
// (trimmed, exactly as given in one of them), and refuses disagreement.
func FuzzAPIKeyFrom(f *testing.F) {
	k := "csm_" + strings.Repeat("a", 40)
	f.Add("Bearer "+k, "", "")
	f.Add("", k, "")
	f.Add("", "", "api_key="+k)
	f.Add("bearer  "+k+" ", k, "api_key="+k+"&x=1")
	f.Add("Basic Zm9v", "", "api_key=%zz&api_key=")
	f.Add("Bearer", "  ", "api_key=a&api_key=b")
	f.Add("Bearer x", "y", "api_key=z")
	f.Fuzz(func(t *testing.T, authz, xkey, query string) {
		h := http.Header{}
		if authz != "" {
			h.Set("Authorization", authz)
		}
		if xkey != "" {
			h.Set("X-API-Key", xkey)
		}
		got, err := apiKeyFrom(h, query)
		if err != nil {
			if got != "" {
				t.Fatalf("error with a key %q", got)
			}
			return
		}
		if got == "" {
			return
		}
		if got != strings.TrimSpace(got) {
			t.Fatalf("untrimmed key %q", got)
		}
		// the key is one of the inputs
		_, bearer, _ := strings.Cut(strings.TrimSpace(authz), " ")
		q, _ := url.ParseQuery(query)
		candidates := []string{strings.TrimSpace(bearer), strings.TrimSpace(xkey)}
		for _, v := range q["api_key"] {
			candidates = append(candidates, strings.TrimSpace(v))
		}
		found := false
		for _, c := range candidates {
			found = found || c == got
		}
		if !found {
			t.Fatalf("key %q is none of %q", got, candidates)
		}
		// a different non-empty X-API-Key next to it is refused
		if x := strings.TrimSpace(xkey); x != "" && x != got {
			t.Fatalf("conflicting X-API-Key %q accepted with %q", x, got)
		}
	})
}

// FuzzSessionToken feeds arbitrary cookie values to the session parser: it
// never panics and accepts nothing but tokens this server signed.
func FuzzSessionToken(f *testing.F) {
	s := &Server{cfg: Config{Now: func() time.Time { return time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC) }}, secret: []byte("fuzz-secret-fuzz-secret-fuzz-secret")}
	good, _, err := s.newSessionToken(42, s.cfg.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		uid, hash, err := s.parseSessionToken(tok)
		if err != nil {
			return
		}
		if tok != good {
			// a different string may still decode to the same signed content
			// (base64 padding bits); it must then say the same thing
			if uid != 42 {
				t.Fatalf("forged token accepted: %q → %d", tok, uid)
			}
		}
		if len(hash) != 32 {
			t.Fatalf("hash length %d", len(hash))
		}
	})
}

// FuzzParseDateTime checks expires_at parsing never panics and round-trips.
func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2026-07-01T00:00:00Z", "2026-07-01", "2026-07-01T10:00:00+02:00", "2026-07-01T10:00:00", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseDateTime(s)
		if !ok {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("not UTC: %v", got)
		}
		again, ok := parseDateTime(got.Format(time.RFC3339Nano))
		if !ok || !again.Equal(got) {
			t.Fatalf("round trip %q → %v → %v", s, got, again)
		}
	})
}

// FuzzSameSite checks the CSRF decision: it never panics, reads always
// pass, and a session write passes only from an allowed origin.
func FuzzSameSite(f *testing.F) {
	s := &Server{origins: map[string]struct{}{"https://collectorstashmarket.com": {}}}
	f.Add("POST", "https://collectorstashmarket.com", "", true)
	f.Add("POST", "", "https://evil.example/x", true)
	f.Add("DELETE", "", "", false)
	f.Add("GET", "null", "", true)
	f.Fuzz(func(t *testing.T, method, origin, referer string, session bool) {
		r, err := http.NewRequest(http.MethodPost, "http://api.local/x", nil)
		if err != nil {
			t.Skip()
		}
		r.Method = method
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if referer != "" {
			r.Header.Set("Referer", referer)
		}
		p := catalog.Principal{}
		if session {
			p.Method = catalog.AuthSession
		}
		ok := s.sameSite(r, p)
		switch method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			if !ok {
				t.Fatal("a read was refused")
			}
			return
		}
		if !ok || !session {
			return
		}
		src := origin
		if src == "" {
			src = originOf(referer)
		}
		if _, allowed := s.origins[src]; !allowed && src != "http://api.local" {
			t.Fatalf("session write from %q (origin %q, referer %q) accepted", src, origin, referer)
		}
	})
}
