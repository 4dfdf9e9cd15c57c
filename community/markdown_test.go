package community_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

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

var (
	badElements = map[string]bool{"script": true, "iframe": true, "svg": true, "style": true, "object": true, "embed": true,
		"frame": true, "frameset": true, "form": true, "input": true, "base": true, "meta": true, "link": true, "math": true}
	badURL = regexp.MustCompile(`(?i)^\s*(javascript|vbscript|data):`)
)

// unsafeHTML parses out as a browser would and returns what could run
// code: a forbidden element, an event-handler attribute or a script URL.
func unsafeHTML(out string) string {
	root, err := html.Parse(strings.NewReader(out))
	if err != nil {
		return "unparsable: " + err.Error()
	}
	var walk func(n *html.Node) string
	walk = func(n *html.Node) string {
		if n.Type == html.ElementNode {
			if badElements[strings.ToLower(n.Data)] {
				return "element " + n.Data
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "style" || k == "srcdoc" || k == "formaction" {
					return "attribute " + a.Key
				}
				if (k == "href" || k == "src" || k == "action" || k == "xlink:href") && badURL.MatchString(a.Val) {
					return "url " + a.Val
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if bad := walk(c); bad != "" {
				return bad
			}
		}
		return ""
	}
	return walk(root)
}

func TestRenderMarkdownSanitises(t *testing.T) {
	t.Parallel()
	for _, src := range hostile {
		out := community.RenderMarkdown(src)
		require.Empty(t, unsafeHTML(out), "input %q: %s", src, out)
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
		if bad := unsafeHTML(out); bad != "" {
			t.Fatalf("unsafe output (%s) for %q: %s", bad, src, out)
		}
	})
}
