package mtg

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// flexID is an identifier MTGJSON writes as a string ("15362"); a bare JSON
// number is accepted too, null reads as "".
type flexID string

// UnmarshalJSON accepts a JSON string, number or null.
func (id *flexID) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0 || bytes.Equal(data, []byte("null")):
		*id = ""
		return nil
	case data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*id = flexID(s)
		return nil
	case data[0] == '-' || data[0] >= '0' && data[0] <= '9':
		*id = flexID(data)
		return nil
	}
	kind := "object"
	switch data[0] {
	case '[':
		kind = "array"
	case 't', 'f':
		kind = "bool"
	}
	return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[string]()}
}
