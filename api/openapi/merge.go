// Package openapi assembles the API's OpenAPI 3.1 document from the
// fragments api/openapi/<capability>.yaml (embedded) and renders it as a
// readable HTML page.
//
// Each fragment is an OpenAPI 3.1 YAML document (openapi: 3.1.x, info,
// paths, components). Merge unions their paths and components (schemas,
// responses, parameters, securitySchemes, …) and tags; a path or a
// component name defined by two fragments is an error, so two capabilities
// cannot silently overwrite each other. A fragment may $ref the shared
// components of common.yaml (Error, ValidationError, the common responses
// and security schemes): references resolve in the merged document.
package openapi

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var embedded embed.FS

// Fragments is the embedded fragment tree (one .yaml per capability).
func Fragments() fs.FS { return embedded }

// Title and Version are the merged document's info.
const (
	Title   = "Collector Stash Market API"
	Version = "2.0.0"
)

var spec struct {
	once sync.Once
	json []byte
	doc  map[string]any
	err  error
}

// Spec is the merged document of the embedded fragments as JSON (built
// once).
func Spec() ([]byte, error) {
	load()
	return spec.json, spec.err
}

// Document is the merged document as a generic JSON value (built once;
// callers must not modify it).
func Document() (map[string]any, error) {
	load()
	return spec.doc, spec.err
}

func load() {
	spec.once.Do(func() {
		spec.doc, spec.err = Merge(embedded)
		if spec.err == nil {
			spec.json, spec.err = json.MarshalIndent(spec.doc, "", "  ")
		}
	})
}

// Merge reads every *.yaml at the root of fsys (in name order) and returns
// the merged OpenAPI 3.1 document.
func Merge(fsys fs.FS) (map[string]any, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list fragments: %w", err)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no OpenAPI fragments")
	}
	out := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   Title,
			"version": Version,
			"description": "The Collector Stash Market HTTP API, assembled from one fragment per capability. " +
				"Errors answer {\"detail\": \"…\"}; validation errors answer 422 with {\"detail\": [{\"loc\", \"msg\", \"type\"}, …]}.",
		},
		"paths":      map[string]any{},
		"components": map[string]any{},
	}
	paths := out["paths"].(map[string]any)
	comps := out["components"].(map[string]any)
	pathFrom, compFrom := map[string]string{}, map[string]string{}
	var tags []any
	tagFrom := map[string]string{}
	for _, name := range names {
		doc, err := readFragment(fsys, name)
		if err != nil {
			return nil, err
		}
		for p, item := range asMap(doc["paths"]) {
			if prev, dup := pathFrom[p]; dup {
				return nil, fmt.Errorf("openapi: path %q is defined by both %s and %s", p, prev, name)
			}
			pathFrom[p] = name
			paths[p] = item
		}
		for kind, group := range asMap(doc["components"]) {
			dst, _ := comps[kind].(map[string]any)
			if dst == nil {
				dst = map[string]any{}
				comps[kind] = dst
			}
			for n, v := range asMap(group) {
				key := kind + "/" + n
				if prev, dup := compFrom[key]; dup {
					return nil, fmt.Errorf("openapi: component %s/%s is defined by both %s and %s", kind, n, prev, name)
				}
				compFrom[key] = name
				dst[n] = v
			}
		}
		list, _ := doc["tags"].([]any)
		for _, t := range list {
			tn, _ := asMap(t)["name"].(string)
			if tn == "" {
				return nil, fmt.Errorf("openapi: %s: a tag without a name", name)
			}
			if _, dup := tagFrom[tn]; dup {
				continue // capabilities may share a tag: the first description is kept
			}
			tagFrom[tn] = name
			tags = append(tags, t)
		}
	}
	if len(tags) > 0 {
		out["tags"] = tags
	}
	return out, nil
}

// readFragment parses one fragment and checks its header.
func readFragment(fsys fs.FS, name string) (map[string]any, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var n yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&n); err != nil {
		return nil, fmt.Errorf("openapi: parse %s: %w", name, err)
	}
	w := &walker{}
	v, err := w.value(&n, 0)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", name, err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi: %s is not a mapping", name)
	}
	if ver, _ := doc["openapi"].(string); !strings.HasPrefix(ver, "3.1") {
		return nil, fmt.Errorf("openapi: %s: openapi must be 3.1.x, got %q", name, ver)
	}
	if _, ok := doc["info"].(map[string]any); !ok {
		return nil, fmt.Errorf("openapi: %s: info is required", name)
	}
	for k := range doc {
		switch k {
		case "openapi", "info", "paths", "components", "tags":
		default:
			return nil, fmt.Errorf("openapi: %s: top-level %q is not merged (only paths, components and tags are)", name, k)
		}
	}
	if path.Ext(name) != ".yaml" {
		return nil, fmt.Errorf("openapi: %s: not a .yaml fragment", name)
	}
	return doc, nil
}

// Limits of a fragment's YAML: alias cycles and alias bombs are errors.
const (
	maxDepth = 64
	maxNodes = 1 << 20
)

// walker converts YAML nodes to JSON-compatible values: mapping keys are
// always strings (status codes such as 200 included).
type walker struct{ nodes int }

func (w *walker) value(n *yaml.Node, depth int) (any, error) {
	w.nodes++
	if depth > maxDepth || w.nodes > maxNodes {
		return nil, fmt.Errorf("line %d: nested too deeply (alias cycle?)", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return w.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		return w.value(n.Alias, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a mapping key must be a scalar", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			v, err := w.value(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := w.value(c, depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("line %d: %s is not a JSON number", n.Line, n.Value)
			}
			return v, nil
		case nil, string, bool, int, int64, uint64:
			return v, nil
		default: // e.g. a !!timestamp: keep the text
			return n.Value, nil
		}
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
