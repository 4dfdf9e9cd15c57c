package api

import (
	"math"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// params collects query and path validation failures FastAPI-style, so one
// 422 lists every bad field.
type params struct {
	c      *gin.Context
	fields []catalog.FieldError
}

func newParams(c *gin.Context) *params { return &params{c: c} }

func (p *params) add(loc, name, msg, typ string) {
	p.fields = append(p.fields, catalog.FieldError{Loc: []string{loc, name}, Msg: msg, Type: typ})
}

// intRange parses an integer in [lo, hi]; def when absent.
func (p *params) intRange(loc, name string, def, lo, hi int64) int64 {
	var raw string
	var ok bool
	if loc == "path" {
		raw, ok = p.c.Param(name), true
	} else {
		raw, ok = p.c.GetQuery(name)
	}
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil {
		p.add(loc, name, "value is not a valid integer", "type_error.integer")
		return def
	}
	if n < lo {
		p.add(loc, name, "ensure this value is greater than or equal to "+strconv.FormatInt(lo, 10), "value_error.number.not_ge")
		return def
	}
	if n > hi {
		p.add(loc, name, "ensure this value is less than or equal to "+strconv.FormatInt(hi, 10), "value_error.number.not_le")
		return def
	}
	return n
}

// enum parses a query value that must be one of allowed; def when absent.
func (p *params) enum(name, def string, allowed ...string) string {
	raw, ok := p.c.GetQuery(name)
	if !ok {
		return def
	}
	for _, a := range allowed {
		if raw == a {
			return raw
		}
	}
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = "'" + a + "'"
	}
	p.add("query", name, "value is not a valid enumeration member; permitted: "+strings.Join(quoted, ", "), "type_error.enum")
	return def
}

// str returns a query string trimmed, limited to max bytes (422 beyond).
func (p *params) str(name string, max int) string {
	raw := strings.TrimSpace(p.c.Query(name))
	if len(raw) > max {
		p.add("query", name, "ensure this value has at most "+strconv.Itoa(max)+" characters", "value_error.any_str.max_length")
		return ""
	}
	return raw
}

// err returns the collected validation error, or nil.
func (p *params) err() error {
	if len(p.fields) == 0 {
		return nil
	}
	return &catalog.Error{Code: catalog.EVALIDATION, Message: p.fields[0].Msg, Fields: p.fields}
}

// pathID parses the :name path parameter as a positive id (422 otherwise).
func pathID(c *gin.Context, name string) (int64, error) {
	p := newParams(c)
	id := p.intRange("path", name, 0, 1, math.MaxInt64)
	return id, p.err()
}
