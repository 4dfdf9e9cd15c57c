package catalog

import (
	"errors"
	"fmt"
)

// Application error codes. The HTTP edge maps each to one status code.
const (
	EINVALID      = "invalid"      // malformed request: 400
	EVALIDATION   = "validation"   // field validation: 422 with per-field list
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // 409
	EGONE         = "gone"         // 410: existed, has expired
	EUNAUTHORIZED = "unauthorized" // 401
	EFORBIDDEN    = "forbidden"    // 403
	ETOOLARGE     = "too_large"    // 413
	EUNSUPPORTED  = "unsupported"  // 415
	ERATELIMIT    = "rate_limited" // 429
	EUNAVAILABLE  = "unavailable"  // 503: a backing store is down
	EINTERNAL     = "internal"     // 500
)

// Error is the one application error type. Message is safe to show to callers.
type Error struct {
	Code    string
	Message string
	// Fields carries per-field validation failures (EVALIDATION only).
	Fields []FieldError
	// Err is the wrapped cause, never shown to callers.
	Err error
}

// FieldError is one entry of a 422 response: where, what and which rule.
type FieldError struct {
	Loc  []string `json:"loc"`
	Msg  string   `json:"msg"`
	Type string   `json:"type"`
}

func (e *Error) Error() string {
	if e.Err != nil && e.Err.Error() != e.Message {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an application error with the given code and message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Unavailable wraps a backing-store failure.
func Unavailable(err error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: "csm_data_unavailable", Err: err}
}

// ErrorCode returns the code of the first application error in err's chain,
// EINTERNAL for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal server error"
}

// Validation returns an EVALIDATION error for one field.
func Validation(loc []string, msg, typ string) *Error {
	return &Error{Code: EVALIDATION, Message: msg, Fields: []FieldError{{Loc: loc, Msg: msg, Type: typ}}}
}
