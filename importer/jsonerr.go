package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// ValueStart skips the separators (white space, commas and colons) that
// precede the value a json.Decoder will read next from offset off of data.
func ValueStart(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// JSONError turns err, returned by a json.Decoder reading data, into an
// Errorf naming file and the line of the failure. base is the decoder offset
// before the failing call: type-error offsets are relative to it, and
// syntax-error offsets of a streaming decoder are approximate, so those are
// recomputed over the whole input.
func JSONError(file string, data []byte, base int64, err error) error {
	return jsonError(file, data, base, err, false)
}

// JSONErrorWithOffset is JSONError with the byte offset of the failure in
// the message ("field number at offset 120: …").
func JSONErrorWithOffset(file string, data []byte, base int64, err error) error {
	return jsonError(file, data, base, err, true)
}

// jsonError implements JSONError and, with offsets, JSONErrorWithOffset.
func jsonError(file string, data []byte, base int64, err error, offsets bool) error {
	at := func(off int64) string {
		if !offsets {
			return ""
		}
		return fmt.Sprintf(" at offset %d", off)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "(value)"
		}
		off := base + te.Offset
		if te.Offset == 0 { // from an UnmarshalJSON method: the value's start
			off = ValueStart(data, base)
		}
		return Errorf(file, LineAt(data, off), "field %s%s: expected %s, got JSON %s",
			field, at(off), JSONKind(te.Type), te.Value)
	}
	var raw json.RawMessage
	if uerr := json.Unmarshal(data, &raw); uerr != nil {
		var se *json.SyntaxError
		if errors.As(uerr, &se) {
			return Errorf(file, LineAt(data, se.Offset), "invalid JSON%s: %v", at(se.Offset), se)
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Errorf(file, LineAt(data, int64(len(data))), "invalid JSON: unexpected end of input")
	}
	return Errorf(file, LineAt(data, base), "invalid JSON%s: %v", at(base), err)
}

// JSONKind names the JSON kind a Go type decodes from ("an object",
// "a string", …).
func JSONKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}
