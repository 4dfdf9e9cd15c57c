package e2e

import (
	"net/http"
	"testing"

	"github.com/collectorstash/csm/api/openapi/conformance"
)

// spec validates every exchange of the e2e servers against the OpenAPI
// document (api/openapi/*.yaml); route coverage is checked by the api
// package's tests.
var spec = func() *conformance.Recorder {
	r, err := conformance.New()
	if err != nil {
		panic("openapi: " + err.Error())
	}
	return r
}()

// validated puts an api.New engine behind the conformance validator: a
// request/response that does not match the document fails t.
func validated(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	return spec.Wrap(t, h)
}
