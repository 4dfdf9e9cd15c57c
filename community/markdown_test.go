package community_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/community"
)

// hostile are posts that try to run code in a reader's browser.
var hostile = []string{
	"<script>alert(1)</script>",
	"hello <SCRIPT SRC=//evil.example/x.js></SCRIPT>",
	"[click](javascript:alert(1))",
	"[click](JaVaScRiPt:alert(1))",
	"[click](java\tscript:alert(1))",
	"[click](&#106;avascript:alert(1))",
	"![img](javascript:alert(1))",
	"<img src=x onerror=alert(1)>",
	"<a href=\"javascript:alert(1)\">x</a>",
	"<iframe src=\"https://evil.example\"></iframe>",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"<svg onload=alert(1)>",
	"<style>body{display:none}</style>",
	"[x](vbscript:msgbox(1))",
	"<https://ok.example> and <javascript:alert(1)>",
}

var unsafeHTML = regexp.MustCompile(`(?i)<\s*(script|iframe|svg|style|object|embed)|\son[a-z]+\s*=|(href|src)\s*=\s*"?\s*(javascript|vbscript|data):`)

func TestRenderMarkdownSanitises(t *testing.T) {
	t.Parallel()
	for _, src := range hostile {
		out := community.RenderMarkdown(src)
		require.NotRegexp(t, unsafeHTML, out, "input %q", src)
	}
	out := community.RenderMarkdown("**bold** _it_ `code`\n\n- a\n- b\n\n[site](https://example.com)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
	for _, want := range []string{"<strong>bold</strong>", "<em>it</em>", "<code>code</code>", "<li>a</li>", `href="https://example.com"`, `rel="nofollow noopener"`, "<table>"} {
		require.Contains(t, out, want)
	}
}

func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("# title\n\n> quote\n\n```go\nfunc main() {}\n```")
	f.Fuzz(func(t *testing.T, src string) {
		out := community.RenderMarkdown(src)
		if unsafeHTML.MatchString(out) {
			t.Fatalf("unsafe output for %q: %s", src, out)
		}
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Fatalf("script for %q", src)
		}
	})
}
