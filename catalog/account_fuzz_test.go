package catalog

import (
	"strings"
	"testing"
)

// FuzzNormalizeUsername: accepted names are 3–30 lowercase characters of
// the allowed set, and normalising is idempotent.
func FuzzNormalizeUsername(f *testing.F) {
	for _, s := range []string{"Demo-1", "ab", "  abc  ", strings.Repeat("a", 31), "-abc", "a.b_c-d", "ÄBC", "ab\x00c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeUsername(s)
		if !ok {
			if got != "" {
				t.Fatalf("rejected with a value %q", got)
			}
			return
		}
		if len(got) < 3 || len(got) > 30 || got != strings.ToLower(got) {
			t.Fatalf("bad name %q from %q", got, s)
		}
		for i, c := range got {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && strings.ContainsRune("-_.", c)) {
				t.Fatalf("bad character %q in %q", c, got)
			}
		}
		if again, ok := NormalizeUsername(got); !ok || again != got {
			t.Fatalf("not idempotent: %q → %q", got, again)
		}
	})
}

// FuzzConfirmsDeletion: only "DELETE <username>" (surrounding spaces
// aside) confirms, and only for that username.
func FuzzConfirmsDeletion(f *testing.F) {
	f.Add("DELETE demo-1", "demo-1")
	f.Add(" DELETE demo-1\n", "demo-1")
	f.Add("delete demo-1", "demo-1")
	f.Add("DELETE ", "")
	f.Add("DELETE demo-1 ", "demo-1 ")
	f.Fuzz(func(t *testing.T, confirm, username string) {
		if !ConfirmsDeletion(confirm, username) {
			return
		}
		if username == "" || strings.TrimSpace(confirm) != "DELETE "+username {
			t.Fatalf("%q confirmed deleting %q", confirm, username)
		}
	})
}

// FuzzNormalizeEmail: accepted addresses have one '@', a dotted domain,
// no spaces, and normalising is idempotent.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"Demo-1@Example.com", "a@b", "a@@b.c", "@b.c", "a@b..c", "a b@c.d", "a@.c", "ü@ü.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeEmail(s)
		if !ok {
			return
		}
		if strings.Count(got, "@") != 1 || strings.ContainsAny(got, " \t\r\n") || len(got) > 254 {
			t.Fatalf("bad address %q", got)
		}
		local, domain, _ := strings.Cut(got, "@")
		if local == "" || !strings.Contains(domain, ".") {
			t.Fatalf("bad address %q", got)
		}
		if again, ok := NormalizeEmail(got); !ok || again != got {
			t.Fatalf("not idempotent: %q → %q", got, again)
		}
	})
}

// FuzzParseArgonHash: corrupt stored hashes are refused, never panic, and
// never ask for more than the bounded cost.
func FuzzParseArgonHash(f *testing.F) {
	f.Add(HashPassword("seed-password"))
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$2a$10$abcdefghijklmnopqrstuv")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseArgonHash(s)
		if err != nil {
			return
		}
		if h.memory > 1<<20 || h.time > 16 || h.threads > 16 || h.threads == 0 || len(h.salt) < 8 || len(h.sum) < 16 || len(h.sum) > 64 {
			t.Fatalf("unbounded parameters accepted: %+v", h)
		}
	})
}

// FuzzValidKeyFormat: accepted keys are exactly csm_ + 40 alphanumerics,
// and every generated key is accepted.
func FuzzValidKeyFormat(f *testing.F) {
	f.Add(GenerateKey())
	f.Add("csm_short")
	f.Add("csm_" + strings.Repeat("-", 40))
	f.Fuzz(func(t *testing.T, s string) {
		if ValidKeyFormat(s) {
			if len(s) != KeyLen || !strings.HasPrefix(s, "csm_") || strings.Trim(s[4:], keyAlphabet) != "" {
				t.Fatalf("bad key accepted: %q", s)
			}
		}
		if k := GenerateKey(); !ValidKeyFormat(k) {
			t.Fatalf("generated key refused: %q", k)
		}
	})
}
