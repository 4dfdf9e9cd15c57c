package conformance_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api/openapi"
	"github.com/collectorstash/csm/api/openapi/conformance"
)

const fragment = `openapi: 3.1.0
info: {title: test, version: '1'}
paths:
  /items/{item_id}:
    parameters:
      - {name: item_id, in: path, required: true, schema: {type: string, minLength: 1}}
    get:
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
        '404':
          description: missing
          content: {application/json: {schema: {type: object, required: [detail], properties: {detail: {type: string}}}}}
    delete:
      responses:
        '204': {description: gone}
  /items/special:
    get:
      responses:
        '200': {description: ok, content: {text/plain: {schema: {type: string}}}}
  /items:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string, maxLength: 3}}}
      responses:
        '201': {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}}
        '422': {description: invalid, content: {application/json: {schema: {type: object}}}}
  /files/{path}:
    get:
      parameters:
        - {name: path, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok, content: {text/plain: {schema: {type: string}}}}
  /events:
    get:
      x-sse-events: {tick: Tick}
      responses:
        '200': {description: stream, content: {text/event-stream: {schema: {type: string}}}}
components:
  schemas:
    Tick:
      type: object
      required: [n]
      properties:
        n: {type: integer}
    Item:
      type: object
      required: [id]
      properties:
        id: {type: integer}
`

// recordingTB keeps the errors the validator reports instead of failing.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.errs
	r.errs = nil
	return out
}

func setup(t *testing.T) (*conformance.Recorder, *recordingTB, string) {
	t.Helper()
	doc, err := openapi.Merge(fstest.MapFS{"t.yaml": {Data: []byte(fragment)}})
	require.NoError(t, err)
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	rec, err := conformance.NewFromJSON(b)
	require.NoError(t, err)

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/items/special", func(c *gin.Context) { c.String(http.StatusOK, "special") })
	r.GET("/items/:id", func(c *gin.Context) {
		switch c.Param("id") {
		case "bad":
			c.JSON(http.StatusOK, gin.H{"id": "not a number"})
		case "missing":
			c.JSON(http.StatusNotFound, gin.H{"detail": "Not found"})
		case "teapot":
			c.JSON(http.StatusTeapot, gin.H{"detail": "undocumented status"})
		default:
			c.JSON(http.StatusOK, gin.H{"id": 1})
		}
	})
	r.POST("/items", func(c *gin.Context) {
		var b struct {
			Name string `json:"name"`
		}
		if err := c.ShouldBindJSON(&b); err != nil || b.Name == "" {
			c.JSON(http.StatusUnprocessableEntity, gin.H{"detail": "name required"})
			return
		}
		c.JSON(http.StatusCreated, gin.H{"id": 2})
	})
	r.GET("/events", func(c *gin.Context) {
		c.Header("Content-Type", "text/event-stream")
		_, _ = c.Writer.WriteString(": ping\n\n")
		c.SSEvent("tick", gin.H{"n": 1})
		switch c.Query("bad") {
		case "data":
			c.SSEvent("tick", gin.H{"n": "one"})
		case "name":
			c.SSEvent("tock", gin.H{"n": 1})
		}
	})
	r.GET("/undocumented", func(c *gin.Context) { c.String(http.StatusOK, "x") })
	r.GET("/files/*path", func(c *gin.Context) { c.String(http.StatusOK, c.Param("path")) })

	tb := &recordingTB{TB: t}
	srv := httptest.NewServer(rec.Wrap(tb, r))
	t.Cleanup(srv.Close)
	return rec, tb, srv.URL
}

func call(t *testing.T, method, url, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

func TestValidatorReportsMismatches(t *testing.T) {
	t.Parallel()
	rec, tb, url := setup(t)
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string // "" = conforms
	}{
		{"GET", "/items/1", "", 200, ""},
		{"GET", "/items/missing", "", 404, ""},
		{"GET", "/items/special", "", 200, ""}, // the static route wins, as in Gin
		{"GET", "/files/a/b/c.txt", "", 200, ""},
		{"POST", "/items", `{"name":"abc"}`, 201, ""},
		{"POST", "/items", `{}`, 422, ""}, // rejected by both: a test of bad input
		{"GET", "/items/bad", "", 200, "response does not match the document"},
		{"GET", "/items/teapot", "", 418, "status is not supported"},
		{"POST", "/items", `{"name":"toolong"}`, 201, "the server accepted a request the document rejects"},
		{"GET", "/undocumented", "", 200, "route is not described"},
		{"GET", "/nowhere", "", 404, ""}, // not a route: the engine's 404
		{"GET", "/events", "", 200, ""},
		{"GET", "/events?bad=data", "", 200, `event "tick" does not match Tick`},
		{"GET", "/events?bad=name", "", 200, `event "tock" is not listed`},
	} {
		require.Equal(t, c.status, call(t, c.method, url+c.path, c.body), "%s %s", c.method, c.path)
		errs := tb.take()
		if c.want == "" {
			require.Empty(t, errs, "%s %s", c.method, c.path)
			continue
		}
		require.Len(t, errs, 1, "%s %s", c.method, c.path)
		require.Contains(t, errs[0], c.want, "%s %s", c.method, c.path)
	}

	unvalidated, undocumented, covered := rec.Report(map[string]string{"GET /undocumented": "not described on purpose"})
	require.Empty(t, unvalidated)
	require.Equal(t, []string{"DELETE /items/{item_id}"}, undocumented, "documented but served by no engine")
	require.Contains(t, covered, "GET /items/{item_id}", "Gin's :id is the document's {item_id}")
	require.Contains(t, covered, "GET /files/{path}")

	unvalidated, _, _ = rec.Report(nil)
	require.Equal(t, []string{"GET /undocumented"}, unvalidated)
}

func TestSpecPath(t *testing.T) {
	t.Parallel()
	require.Equal(t, "/a/{id}/b/{rest}", conformance.SpecPath("/a/:id/b/*rest"))
	require.Equal(t, "/", conformance.SpecPath("/"))
}
