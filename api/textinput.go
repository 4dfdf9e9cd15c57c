package api

import (
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// Validation error types of the text guard.
const (
	typeUTF8        = "value_error.str.utf8"
	typeNUL         = "value_error.str.nul"
	typeQueryEncode = "value_error.query.encoding"
)

// textGuard rejects, on every route, a path or query parameter that is not
// valid UTF-8 or holds a NUL byte: such text cannot be stored or compared
// by Postgres and would otherwise surface as a 500. The answer is the
// usual 422 list, one entry per bad parameter.
func (s *Server) textGuard() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := checkText(c.Request.URL); err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
	}
}

// checkText returns the validation error for u's path and query, or nil.
func checkText(u *url.URL) error {
	var fields []catalog.FieldError
	if msg, typ := badText(u.Path); msg != "" {
		fields = append(fields, catalog.FieldError{Loc: []string{"path"}, Msg: "path " + msg, Type: typ})
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		fields = append(fields, catalog.FieldError{Loc: []string{"query"}, Msg: "malformed query string: " + err.Error(), Type: typeQueryEncode})
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		values := q[name]
		loc := name
		if msg, _ := badText(name); msg != "" {
			loc = strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "\uFFFD")
		}
		for _, v := range append([]string{name}, values...) {
			if msg, typ := badText(v); msg != "" {
				fields = append(fields, catalog.FieldError{Loc: []string{"query", loc}, Msg: msg, Type: typ})
				break
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &catalog.Error{Code: catalog.EVALIDATION, Message: fields[0].Msg, Fields: fields}
}

// badText says what is wrong with s as text ("" when nothing is).
func badText(s string) (msg, typ string) {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8", typeUTF8
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL character", typeNUL
	}
	return "", ""
}
