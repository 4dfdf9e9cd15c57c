// Package conformance checks a running API against its OpenAPI document in
// tests: Wrap puts a handler behind a validator that checks every request
// and response (error bodies included) with kin-openapi's openapi3filter,
// and a Recorder remembers which routes were registered and which got a
// validated response, so a test binary can fail when a route was never
// exercised or the document describes a path no engine serves.
//
// Requests that the document rejects are expected in tests of bad input:
// they pass when the server rejected them too (4xx); a request the
// document rejects but the server accepted (2xx/3xx) is a mismatch.
package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/api/openapi"
)

// maxCapture bounds the request and response bytes kept for validation;
// beyond it the body is not validated (the status and headers still are).
const maxCapture = 32 << 20

func init() {
	// Non-JSON bodies of this API: validated as strings (content type and
	// status are still checked).
	for _, ct := range []string{"text/html", "text/event-stream", "text/javascript", "application/javascript",
		"image/png", "image/webp", "image/jpeg", "image/svg+xml", "text/css", "text/plain", "application/manifest+json"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

// Recorder is one test binary's record: the loaded document, the routes
// every wrapped engine registered and the routes that got a validated
// response. Safe for concurrent use.
type Recorder struct {
	doc *openapi3.T

	mu         sync.Mutex
	registered map[string]bool // "GET /api/v2/cards/{id}"
	validated  map[string]bool
	shapes     map[string]string // shape(path) → the document's path
}

// New loads the merged document (api/openapi/*.yaml) and validates it as
// OpenAPI 3.1.
func New() (*Recorder, error) {
	b, err := openapi.Spec()
	if err != nil {
		return nil, err
	}
	return NewFromJSON(b)
}

// NewFromJSON loads and validates a document.
func NewFromJSON(b []byte) (*Recorder, error) {
	l := openapi3.NewLoader()
	doc, err := l.LoadFromData(b)
	if err != nil {
		return nil, fmt.Errorf("load openapi: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi document invalid: %w", err)
	}
	r := &Recorder{doc: doc, registered: map[string]bool{}, validated: map[string]bool{}, shapes: map[string]string{}}
	for p := range doc.Paths.Map() {
		r.shapes[shape(p)] = p
	}
	return r, nil
}

// shape is a path template without its parameter names: /a/{} for /a/{id}.
func shape(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// specFor is the document's template for a Gin route (its parameters may
// be named differently: /sets/:id is /sets/{set_id}), or SpecPath's when
// the document has none.
func (r *Recorder) specFor(ginPath string) string {
	p := SpecPath(ginPath)
	if d, ok := r.shapes[shape(p)]; ok {
		return d
	}
	return p
}

// renameParams maps Gin's parameter names to the document's, by position.
func renameParams(ginPath, specPath string, params map[string]string) map[string]string {
	g, d := strings.Split(ginPath, "/"), strings.Split(specPath, "/")
	if len(g) != len(d) {
		return params
	}
	out := make(map[string]string, len(params))
	for i, s := range g {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') && strings.HasPrefix(d[i], "{") {
			out[strings.Trim(d[i], "{}")] = params[s[1:]]
		}
	}
	return out
}

// Doc is the loaded document.
func (r *Recorder) Doc() *openapi3.T { return r.doc }

// SpecPath converts a Gin route template to the document's: /a/:id/*rest
// is /a/{id}/{rest}.
func SpecPath(ginPath string) string {
	segs := strings.Split(ginPath, "/")
	for i, s := range segs {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// route is a registered Gin route, split for matching.
type route struct {
	method, gin, spec string
	segs              []string
}

// Wrap returns h behind the validator; h must be a *gin.Engine (as
// api.New returns), whose routes are recorded as registered. A mismatch
// fails t (the test that built the server).
func (r *Recorder) Wrap(t testing.TB, h http.Handler) http.Handler {
	eng, ok := h.(*gin.Engine)
	if !ok {
		t.Fatalf("conformance: handler is %T, not *gin.Engine", h)
	}
	var routes []route
	r.mu.Lock()
	for _, ri := range eng.Routes() {
		rt := route{method: ri.Method, gin: ri.Path, spec: r.specFor(ri.Path), segs: strings.Split(strings.TrimPrefix(ri.Path, "/"), "/")}
		routes = append(routes, rt)
		r.registered[ri.Method+" "+rt.spec] = true
	}
	r.mu.Unlock()
	return &validator{rec: r, t: t, next: h, routes: routes}
}

// Report lists the registered routes that never got a validated response
// (minus exclude, whose values say why) and the documented operations no
// wrapped engine registered; covered is every validated route, sorted.
func (r *Recorder) Report(exclude map[string]string) (unvalidated, undocumented, covered []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.registered {
		if !r.validated[k] {
			if _, skip := exclude[k]; !skip {
				unvalidated = append(unvalidated, k)
			}
		}
	}
	for p, item := range r.doc.Paths.Map() {
		for m := range item.Operations() {
			k := m + " " + p
			if !r.registered[k] {
				undocumented = append(undocumented, k)
			}
		}
	}
	for k := range r.validated {
		covered = append(covered, k)
	}
	sort.Strings(unvalidated)
	sort.Strings(undocumented)
	sort.Strings(covered)
	return unvalidated, undocumented, covered
}

type validator struct {
	rec    *Recorder
	t      testing.TB
	next   http.Handler
	routes []route
}

// match finds the route Gin would take: static segments beat parameters,
// parameters beat catch-alls, position by position.
func (v *validator) match(method, path string) (route, map[string]string, bool) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var best *route
	var bestRank []int
	var bestParams map[string]string
	for i := range v.routes {
		rt := &v.routes[i]
		if rt.method != method {
			continue
		}
		rank, params, ok := matchSegs(rt.segs, segs)
		if ok && (best == nil || less(rank, bestRank)) {
			best, bestRank, bestParams = rt, rank, params
		}
	}
	if best == nil {
		return route{}, nil, false
	}
	return *best, bestParams, true
}

// matchSegs matches a path against a route template; rank orders matches
// (0 static, 1 parameter, 2 catch-all per segment).
func matchSegs(tmpl, segs []string) ([]int, map[string]string, bool) {
	params := map[string]string{}
	rank := make([]int, 0, len(tmpl))
	for j, s := range tmpl {
		if strings.HasPrefix(s, "*") {
			rest := ""
			if j < len(segs) {
				rest = strings.Join(segs[j:], "/")
			}
			params[s[1:]] = "/" + rest
			return append(rank, 2), params, true
		}
		if j >= len(segs) {
			return nil, nil, false
		}
		switch {
		case strings.HasPrefix(s, ":"):
			if segs[j] == "" {
				return nil, nil, false
			}
			params[s[1:]] = segs[j]
			rank = append(rank, 1)
		case s == segs[j]:
			rank = append(rank, 0)
		default:
			return nil, nil, false
		}
	}
	return rank, params, len(tmpl) == len(segs)
}

func less(a, b []int) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	// one is a prefix of the other: the longer wins unless what it adds is
	// a catch-all (/a beats /a/*rest for the path /a)
	if len(a) > len(b) {
		return a[len(b)] != 2
	}
	if len(b) > len(a) {
		return b[len(a)] == 2
	}
	return false
}

func (v *validator) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	rt, params, ok := v.match(req.Method, req.URL.Path)
	if !ok { // 404/405 of the engine: not a documented route
		v.next.ServeHTTP(w, req)
		return
	}
	var reqBody []byte
	tooBig := false
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxCapture+1))
		if err != nil { // the client broke off: serve what came, unvalidated
			req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), req.Body))
			v.next.ServeHTTP(w, req)
			return
		}
		tooBig = len(b) > maxCapture
		reqBody = b
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), req.Body))
	}
	// what the validator sees: a copy taken before the handler reads it
	vreq := req.Clone(context.WithoutCancel(req.Context()))
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	cw := &captureWriter{ResponseWriter: w, status: 0}
	cw.onHijack = func() { v.check(rt, params, vreq, tooBig, cw) }
	v.next.ServeHTTP(cw, req)
	if cw.hijacked {
		return // checked at hijack time: the connection may outlive the test
	}
	v.check(rt, params, vreq, tooBig, cw)
}

// check validates one exchange and records the route.
func (v *validator) check(rt route, params map[string]string, req *http.Request, reqTooBig bool, cw *captureWriter) {
	key := rt.method + " " + rt.spec
	status := cw.status
	if status == 0 {
		status = http.StatusOK
	}
	fail := func(format string, args ...any) {
		v.t.Errorf("openapi conformance: %s %s (route %s) → %d: %s", req.Method, req.URL.RequestURI(), key, status,
			fmt.Sprintf(format, args...))
	}
	item := v.rec.doc.Paths.Find(rt.spec)
	if item == nil || item.GetOperation(rt.method) == nil {
		fail("route is not described in api/openapi/*.yaml")
		return
	}
	op := item.GetOperation(rt.method)
	if rb := op.RequestBody; rb != nil && rb.Value != nil && req.Header.Get("Content-Type") == "" && req.ContentLength != 0 {
		// the JSON routes read a body sent without a Content-Type as JSON
		if rb.Value.Content.Get("application/json") != nil {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	kroute := &routers.Route{Spec: v.rec.doc, Path: rt.spec, PathItem: item, Method: rt.method, Operation: op}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
		ExcludeRequestBody:    reqTooBig,
		ExcludeResponseBody:   cw.overflow,
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: renameParams(rt.gin, rt.spec, params), Route: kroute, Options: opts}
	ctx := context.Background()
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && status < 400 {
		fail("the server accepted a request the document rejects: %v", err)
		return
	}
	if req.Method == http.MethodHead {
		if op.Responses.Status(status) == nil && op.Responses.Default() == nil {
			fail("status not documented")
			return
		}
	}
	hdr := cw.Header().Clone()
	if status == http.StatusSwitchingProtocols {
		hdr.Del("Content-Type")
	}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: hdr, Options: opts}
	rin.SetBodyBytes(cw.body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, rin); err != nil {
		body := cw.body.String()
		if len(body) > 600 || !isText(hdr.Get("Content-Type")) {
			body = fmt.Sprintf("%.600s… (%d bytes)", body, cw.body.Len())
		}
		fail("response does not match the document: %v\nbody: %s", err, body)
		return
	}
	if err := v.rec.checkEvents(op, hdr.Get("Content-Type"), cw.body.Bytes()); err != nil && !cw.overflow {
		fail("%v", err)
		return
	}
	v.rec.mu.Lock()
	v.rec.validated[key] = true
	v.rec.mu.Unlock()
}

// EventsExtension is the operation extension that documents a
// text/event-stream: event name → the name of a component schema its data
// (JSON) must match.
const EventsExtension = "x-sse-events"

// checkEvents validates every event of a server-sent-events body against
// the operation's x-sse-events; an event it does not list is an error.
func (r *Recorder) checkEvents(op *openapi3.Operation, contentType string, body []byte) error {
	if !strings.HasPrefix(contentType, "text/event-stream") {
		return nil
	}
	events, _ := op.Extensions[EventsExtension].(map[string]any)
	if events == nil {
		return nil
	}
	blocks := strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n\n")
	blocks = blocks[:len(blocks)-1] // "" after the last complete event, or an event cut short
	for _, block := range blocks {
		var name, data string
		for _, line := range strings.Split(block, "\n") {
			if v, ok := strings.CutPrefix(line, "event:"); ok {
				name = strings.TrimSpace(v)
			} else if v, ok := strings.CutPrefix(line, "data:"); ok {
				data += strings.TrimSpace(v)
			}
		}
		if name == "" {
			continue // a comment (": ping") or the unfinished tail
		}
		schemaName, _ := events[name].(string)
		if schemaName == "" {
			return fmt.Errorf("event %q is not listed in %s", name, EventsExtension)
		}
		ref := r.doc.Components.Schemas[schemaName]
		if ref == nil || ref.Value == nil {
			return fmt.Errorf("%s names schema %q, which is not in components.schemas", EventsExtension, schemaName)
		}
		var v any
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return fmt.Errorf("event %q: data is not JSON: %q", name, data)
		}
		if err := ref.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			return fmt.Errorf("event %q does not match %s: %v\ndata: %.600s", name, schemaName, err, data)
		}
	}
	return nil
}

func isText(ct string) bool {
	return strings.Contains(ct, "json") || strings.HasPrefix(ct, "text/")
}

// captureWriter passes everything through and keeps a copy of the status
// and body; it keeps Flush and Hijack (SSE, WebSocket) working.
type captureWriter struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	overflow bool
	hijacked bool
	onHijack func()
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if !c.overflow {
		if c.body.Len()+len(b) > maxCapture {
			c.overflow = true
		} else {
			c.body.Write(b)
		}
	}
	return c.ResponseWriter.Write(b)
}

func (c *captureWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (c *captureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := c.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("conformance: the underlying ResponseWriter cannot hijack")
	}
	conn, rw, err := hj.Hijack()
	if err == nil {
		c.hijacked = true
		if c.onHijack != nil {
			c.onHijack()
		}
	}
	return conn, rw, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// CloseNotify keeps gin's c.Stream (SSE) working behind the validator.
//
//nolint:staticcheck // http.CloseNotifier is what gin's Stream asks for
func (c *captureWriter) CloseNotify() <-chan bool {
	if cn, ok := c.ResponseWriter.(http.CloseNotifier); ok { //nolint:staticcheck
		return cn.CloseNotify()
	}
	return make(chan bool)
}
