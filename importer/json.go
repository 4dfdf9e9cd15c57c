package importer

import (
	"encoding/json"
	"errors"
)

// UnmarshalJSON decodes data into v and, on failure, returns an Errorf naming
// file and the line where decoding stopped.
func UnmarshalJSON(file string, data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return Errorf(file, LineAt(data, se.Offset), "invalid JSON: %v", se)
	case errors.As(err, &te):
		return Errorf(file, LineAt(data, te.Offset), "field %q: expected %s, got %s", te.Field, te.Type, te.Value)
	default:
		return Errorf(file, 0, "invalid JSON: %v", err)
	}
}
