package openapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api/openapi"
	"github.com/collectorstash/csm/api/openapi/conformance"
)

func TestEmbeddedFragmentsMergeIntoAValidDocument(t *testing.T) {
	t.Parallel()
	b, err := openapi.Spec()
	require.NoError(t, err)
	rec, err := conformance.NewFromJSON(b)
	require.NoError(t, err, "the merged document is valid OpenAPI 3.1")
	require.True(t, rec.Doc().IsOpenAPI31OrLater())
	require.NotNil(t, rec.Doc().Paths.Find("/api/v2/cards/{id}"))

	html, err := openapi.HTML()
	require.NoError(t, err)
	require.Contains(t, string(html), "/api/v2/cards/{id}")
}

const fragA = `openapi: 3.1.0
info: {title: a, version: '1'}
paths:
  /a:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/AThing'}}}}
components:
  schemas:
    AThing: {type: object}
`

func TestMergeUnionsPathsAndComponents(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Merge(fstest.MapFS{
		"a.yaml": {Data: []byte(fragA)},
		"b.yaml": {Data: []byte(strings.NewReplacer("/a:", "/b:", "AThing", "BThing").Replace(fragA))},
	})
	require.NoError(t, err)
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	_, err = conformance.NewFromJSON(b)
	require.NoError(t, err)
	require.Len(t, doc["paths"], 2)
	require.Len(t, doc["components"].(map[string]any)["schemas"], 2)
	require.Equal(t, "3.1.0", doc["openapi"])
}

func TestMergeRejectsDuplicates(t *testing.T) {
	t.Parallel()
	for name, second := range map[string]string{
		"path":   strings.ReplaceAll(fragA, "AThing", "BThing"),
		"schema": strings.ReplaceAll(fragA, "/a:", "/b:"),
	} {
		_, err := openapi.Merge(fstest.MapFS{"a.yaml": {Data: []byte(fragA)}, "b.yaml": {Data: []byte(second)}})
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "defined by both a.yaml and b.yaml", name)
	}
}

func TestMergeRejectsBadFragments(t *testing.T) {
	t.Parallel()
	for name, frag := range map[string]string{
		"3.0":       strings.Replace(fragA, "3.1.0", "3.0.3", 1),
		"no info":   strings.Replace(fragA, "info: {title: a, version: '1'}\n", "", 1),
		"servers":   fragA + "servers: [{url: /}]\n",
		"not yaml":  "openapi: [",
		"duplicate": fragA + "paths: {}\n",
	} {
		_, err := openapi.Merge(fstest.MapFS{"a.yaml": {Data: []byte(frag)}})
		require.Error(t, err, name)
	}
}

// FuzzMerge feeds arbitrary fragments to the loader and the renderer:
// an error is fine, a panic is not.
func FuzzMerge(f *testing.F) {
	f.Add([]byte(fragA))
	f.Add([]byte("openapi: 3.1.0\ninfo: {}\npaths: {/x: {get: {responses: {'200': {$ref: '#/components/responses/Nope'}}}}}\n"))
	f.Add([]byte("openapi: 3.1.0\ninfo: {}\ntags: [{name: a}, 3]\ncomponents: {schemas: [1, 2]}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("openapi: 3.1.0\ninfo: {}\npaths: {/x: {x-n: .nan}}\n"))
	f.Fuzz(func(t *testing.T, frag []byte) {
		doc, err := openapi.Merge(fstest.MapFS{"f.yaml": {Data: frag}})
		if err != nil {
			return
		}
		if _, err := json.Marshal(doc); err != nil {
			t.Fatalf("merged document is not JSON: %v", err)
		}
		_, _ = openapi.Render(doc)
	})
}
