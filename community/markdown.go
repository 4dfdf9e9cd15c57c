package community

import (
	"bytes"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

var (
	markdown = goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		// raw HTML is dropped (goldmark's default, no WithUnsafe), new lines
		// are kept as in a forum post
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	policyOnce sync.Once
	policy     *bluemonday.Policy
)

// sanitizer is bluemonday's user-generated-content policy: no script,
// style, event handler or javascript:/data: URL survives; links get
// rel="nofollow noopener" and open in a new tab.
func sanitizer() *bluemonday.Policy {
	policyOnce.Do(func() {
		policy = bluemonday.UGCPolicy()
		policy.RequireNoFollowOnLinks(true)
		policy.AddTargetBlankToFullyQualifiedLinks(true)
		policy.AllowURLSchemes("http", "https", "mailto")
		policy.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("code")
	})
	return policy
}

// RenderMarkdown turns a post's Markdown into HTML that is safe to put in
// a page: goldmark renders it without raw HTML, bluemonday keeps only the
// allowed elements, attributes and URL schemes.
func RenderMarkdown(src string) string {
	var b bytes.Buffer
	if err := markdown.Convert([]byte(src), &b); err != nil {
		b.Reset()
		b.WriteString("<p>")
		b.WriteString(bluemonday.StrictPolicy().Sanitize(src))
		b.WriteString("</p>")
	}
	return sanitizer().Sanitize(b.String())
}
