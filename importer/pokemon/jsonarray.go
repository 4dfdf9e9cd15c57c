package pokemon

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/collectorstash/csm/importer"
)

// decodeArray decodes data, a JSON array, one element at a time into a fresh
// T and calls fn with it and the 1-based line where the element starts.
// Malformed JSON yields an importer.Errorf naming file and line.
func decodeArray[T any](file string, data []byte, fn func(v *T, line int) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return importer.JSONError(file, data, 0, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return importer.Errorf(file, importer.LineAt(data, dec.InputOffset()), "expected a JSON array")
	}
	for dec.More() {
		base := dec.InputOffset()
		var v T
		if err := dec.Decode(&v); err != nil {
			return importer.JSONError(file, data, base, err)
		}
		if err := fn(&v, importer.LineAt(data, importer.ValueStart(data, base))); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return importer.JSONError(file, data, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return importer.Errorf(file, importer.LineAt(data, dec.InputOffset()), "unexpected data after the JSON array")
	}
	return nil
}
