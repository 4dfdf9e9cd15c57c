package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// httpMethods are the operation keys of a path item, in display order.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var page struct {
	once sync.Once
	html []byte
	err  error
}

// HTML is the merged document rendered as one self-contained page (no
// script, no external fetch): operations grouped by tag, then every
// component schema.
func HTML() ([]byte, error) {
	page.once.Do(func() {
		doc, err := Document()
		if err != nil {
			page.err = err
			return
		}
		page.html, page.err = Render(doc)
	})
	return page.html, page.err
}

type param struct {
	Name, In, Description string
	Required              bool
	Schema                template.HTML
}

type body struct {
	Type   string
	Schema template.HTML
}

type response struct {
	Status, Description string
	Bodies              []body
}

type operation struct {
	ID, Method, Path, Summary, Description string
	Security                               []string
	Params                                 []param
	Request                                []body
	Responses                              []response
	Events                                 []event
}

// event is one server-sent event of a stream (x-sse-events).
type event struct{ Name, Schema string }

type tagGroup struct {
	Name, Description string
	Ops               []operation
}

type schemaView struct {
	Name, Description string
	JSON              template.HTML
}

// Render renders a merged document (as returned by Merge) to HTML.
func Render(doc map[string]any) ([]byte, error) {
	comps := asMap(doc["components"])
	groups := map[string]*tagGroup{}
	var order []string
	for _, t := range asSlice(doc["tags"]) {
		m := asMap(t)
		n, _ := m["name"].(string)
		d, _ := m["description"].(string)
		groups[n] = &tagGroup{Name: n, Description: d}
		order = append(order, n)
	}
	paths := asMap(doc["paths"])
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		item := asMap(paths[p])
		for _, m := range httpMethods {
			op := asMap(item[m])
			if op == nil {
				continue
			}
			o := operation{Method: strings.ToUpper(m), Path: p, ID: str(op["operationId"]),
				Summary: str(op["summary"]), Description: str(op["description"])}
			for _, s := range asSlice(op["security"]) {
				var names []string
				for n := range asMap(s) {
					names = append(names, n)
				}
				sort.Strings(names)
				if len(names) == 0 {
					names = []string{"anonymous"}
				}
				o.Security = append(o.Security, strings.Join(names, " + "))
			}
			for _, pv := range append(asSlice(item["parameters"]), asSlice(op["parameters"])...) {
				pm := resolve(comps, asMap(pv))
				req, _ := pm["required"].(bool)
				o.Params = append(o.Params, param{Name: str(pm["name"]), In: str(pm["in"]), Description: str(pm["description"]),
					Required: req, Schema: schemaHTML(pm["schema"])})
			}
			if rb := resolve(comps, asMap(op["requestBody"])); rb != nil {
				o.Request = bodies(rb)
			}
			rs := asMap(op["responses"])
			codes := make([]string, 0, len(rs))
			for c := range rs {
				codes = append(codes, c)
			}
			sort.Strings(codes) // "default" sorts after the digits
			for _, c := range codes {
				r := resolve(comps, asMap(rs[c]))
				o.Responses = append(o.Responses, response{Status: c, Description: str(r["description"]), Bodies: bodies(r)})
			}
			for _, ext := range []string{"x-sse-events", "x-websocket-frames"} {
				for n, sch := range asMap(op[ext]) {
					o.Events = append(o.Events, event{Name: n, Schema: str(sch)})
				}
			}
			sort.Slice(o.Events, func(i, j int) bool { return o.Events[i].Name < o.Events[j].Name })
			tag := "Other"
			if ts := asSlice(op["tags"]); len(ts) > 0 {
				tag = str(ts[0])
			}
			g := groups[tag]
			if g == nil {
				g = &tagGroup{Name: tag}
				groups[tag] = g
				order = append(order, tag)
			}
			g.Ops = append(g.Ops, o)
		}
	}
	var tags []tagGroup
	for _, n := range order {
		if len(groups[n].Ops) > 0 {
			tags = append(tags, *groups[n])
		}
	}
	schemas := asMap(comps["schemas"])
	names := make([]string, 0, len(schemas))
	for n := range schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	var sv []schemaView
	for _, n := range names {
		b, err := json.MarshalIndent(schemas[n], "", "  ")
		if err != nil {
			return nil, fmt.Errorf("render schema %s: %w", n, err)
		}
		sv = append(sv, schemaView{Name: n, Description: str(asMap(schemas[n])["description"]), JSON: linkRefs(template.HTMLEscapeString(string(b)))})
	}
	info := asMap(doc["info"])
	var out bytes.Buffer
	err := pageTmpl.Execute(&out, map[string]any{
		"Title": str(info["title"]), "Version": str(info["version"]), "Description": str(info["description"]),
		"Tags": tags, "Schemas": sv,
	})
	if err != nil {
		return nil, fmt.Errorf("render docs: %w", err)
	}
	return out.Bytes(), nil
}

// resolve follows a local $ref (#/components/<kind>/<name>) once.
func resolve(comps, v map[string]any) map[string]any {
	ref, _ := v["$ref"].(string)
	if !strings.HasPrefix(ref, "#/components/") {
		return v
	}
	parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
	if len(parts) != 2 {
		return v
	}
	if r := asMap(asMap(comps[parts[0]])[parts[1]]); r != nil {
		return r
	}
	return v
}

func bodies(v map[string]any) []body {
	content := asMap(v["content"])
	types := make([]string, 0, len(content))
	for t := range content {
		types = append(types, t)
	}
	sort.Strings(types)
	out := make([]body, 0, len(types))
	for _, t := range types {
		out = append(out, body{Type: t, Schema: schemaHTML(asMap(content[t])["schema"])})
	}
	return out
}

// schemaHTML is a schema in one line: a link for a $ref, compact JSON
// otherwise (with links for nested refs).
func schemaHTML(s any) template.HTML {
	if s == nil {
		return ""
	}
	b, err := json.Marshal(s)
	if err != nil {
		return ""
	}
	if len(b) > 100 { // a larger inline schema reads better indented
		if b, err = json.MarshalIndent(s, "", "  "); err != nil {
			return ""
		}
		return "<pre>" + linkRefs(template.HTMLEscapeString(string(b))) + "</pre>"
	}
	return linkRefs(template.HTMLEscapeString(string(b)))
}

// refRe matches an escaped {"$ref": "#/components/schemas/X"}, compact or
// indented.
var refRe = regexp.MustCompile(`\{\s*&#34;\$ref&#34;:\s*&#34;#/components/schemas/([A-Za-z0-9_.-]+)&#34;\s*\}`)

// linkRefs turns the schema references of escaped JSON into links.
func linkRefs(esc string) template.HTML {
	return template.HTML(refRe.ReplaceAllString(esc, `<a href="#schema-$1">$1</a>`)) //nolint:gosec // escaped text, names from [A-Za-z0-9_.-]
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

var pageTmpl = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{background:#1d2330;color:#fff;padding:1.2em 2em}header a{color:#9cc4ff}
main{display:flex;gap:2em;padding:0 2em}nav{min-width:16em;max-width:20em;position:sticky;top:0;align-self:flex-start;max-height:100vh;overflow:auto;padding:1em 0;font-size:13px}
nav ul{list-style:none;padding-left:1em;margin:.2em 0}nav a{color:#1d2330;text-decoration:none}
section.op{background:#fff;border:1px solid #dde2ea;border-radius:6px;margin:1em 0;padding:.8em 1.2em}
.m{display:inline-block;min-width:4.5em;text-align:center;font-weight:700;border-radius:4px;padding:0 .4em;color:#fff;background:#6b7280}
.GET{background:#2563eb}.POST{background:#059669}.PUT{background:#d97706}.PATCH{background:#7c3aed}.DELETE{background:#dc2626}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f3f5f8;padding:.8em;overflow:auto;border-radius:4px}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #e3e7ee;padding:.2em .6em;text-align:left;vertical-align:top}
.desc{white-space:pre-wrap}.content{flex:1;min-width:0}
</style></head><body>
<header><h1>{{.Title}} <small>{{.Version}}</small></h1><p>{{.Description}}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></header>
<main><nav><strong>Operations</strong><ul>{{range .Tags}}<li><a href="#tag-{{.Name}}">{{.Name}}</a><ul>{{range .Ops}}<li><a href="#op-{{.Method}}-{{.Path}}">{{.Method}} {{.Path}}</a></li>{{end}}</ul></li>{{end}}</ul>
<strong><a href="#schemas">Schemas</a></strong></nav>
<div class="content">
{{range .Tags}}<h2 id="tag-{{.Name}}">{{.Name}}</h2>{{if .Description}}<p class="desc">{{.Description}}</p>{{end}}
{{range .Ops}}<section class="op" id="op-{{.Method}}-{{.Path}}">
<h3><span class="m {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code></h3>
{{if .Summary}}<p><strong>{{.Summary}}</strong></p>{{end}}{{if .Description}}<p class="desc">{{.Description}}</p>{{end}}
{{if .Security}}<p>Credentials: {{range $i, $s := .Security}}{{if $i}} or {{end}}<code>{{$s}}</code>{{end}}</p>{{end}}
{{if .Params}}<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Schema</th><th>Description</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}} *{{end}}</td><td>{{.In}}</td><td><code>{{.Schema}}</code></td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{if .Request}}<h4>Request body</h4><table>{{range .Request}}<tr><td>{{.Type}}</td><td><code>{{.Schema}}</code></td></tr>{{end}}</table>{{end}}
{{if .Events}}<h4>Events and messages</h4><table>{{range .Events}}<tr><td><code>{{.Name}}</code></td><td><a href="#schema-{{.Schema}}">{{.Schema}}</a></td></tr>{{end}}</table>{{end}}
<h4>Responses</h4><table>{{range .Responses}}<tr><td><strong>{{.Status}}</strong></td><td>{{.Description}}{{range .Bodies}}<br>{{.Type}}: <code>{{.Schema}}</code>{{end}}</td></tr>{{end}}</table>
</section>{{end}}{{end}}
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}<section class="op" id="schema-{{.Name}}"><h3>{{.Name}}</h3>{{if .Description}}<p class="desc">{{.Description}}</p>{{end}}<pre>{{.JSON}}</pre></section>{{end}}
</div></main></body></html>
`))
