package mtg

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"

	"github.com/collectorstash/csm/importer"
)

// valueStart skips the separators (white space, one comma or colon) that
// precede the value the decoder will read next from offset off.
func valueStart(data []byte, off int64) int64 {
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

// jsonError turns a decoding error into an importer.Errorf with the line of
// the failure. base is the decoder offset before the failing call: type-error
// offsets are relative to it, syntax-error offsets of a streaming decoder are
// approximate, so those are recomputed over the whole input.
func jsonError(file string, data []byte, base int64, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "(value)"
		}
		off := base + te.Offset
		if te.Offset == 0 { // from an UnmarshalJSON method: the value's start
			off = valueStart(data, base)
		}
		return importer.Errorf(file, importer.LineAt(data, off), "field %s at offset %d: expected %s, got JSON %s",
			field, off, jsonKind(te.Type), te.Value)
	}
	var raw json.RawMessage
	if uerr := json.Unmarshal(data, &raw); uerr != nil {
		var se *json.SyntaxError
		if errors.As(uerr, &se) {
			return importer.Errorf(file, importer.LineAt(data, se.Offset), "invalid JSON at offset %d: %v", se.Offset, se)
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return importer.Errorf(file, importer.LineAt(data, int64(len(data))), "invalid JSON: unexpected end of input")
	}
	return importer.Errorf(file, importer.LineAt(data, base), "invalid JSON at offset %d: %v", base, err)
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
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
