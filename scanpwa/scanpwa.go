// Package scanpwa holds the Scan PWA's pages: html/template templates and
// static assets (scripts, styles, icons, manifest.json and the service
// worker), embedded in the binary. The api package serves them through its
// Pages interface; this package knows nothing of HTTP routes or access.
package scanpwa

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed assets
var assets embed.FS

// Pages renders the pages: "login", "signup", "forgot-password",
// "reset-password", "scan-pwa", "scan" and "review".
type Pages struct {
	t      *template.Template
	assets http.FileSystem
}

// New parses the embedded templates.
func New() (*Pages, error) {
	t, err := template.ParseFS(templates, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("scanpwa: %w", err)
	}
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, fmt.Errorf("scanpwa: %w", err)
	}
	return &Pages{t: t, assets: http.FS(sub)}, nil
}

// Render writes the named page with data.
func (p *Pages) Render(w io.Writer, page string, data any) error {
	return p.t.ExecuteTemplate(w, page+".html", data)
}

// Assets is the static tree served under /scan-pwa/assets/ (and
// /scan-pwa/manifest.json, /scan-pwa/sw.js).
func (p *Pages) Assets() http.FileSystem { return p.assets }
