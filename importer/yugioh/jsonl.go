package yugioh

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/collectorstash/csm/importer"
)

// MaxLineSize bounds one JSON Lines record (the longest set line of YDM-Data
// is about 36 KB).
const MaxLineSize = 16 << 20

// eachLine calls fn with the 1-based number and bytes of every non-blank line
// of r. A line longer than MaxLineSize is an error naming file and line.
func eachLine(file string, r io.Reader, fn func(line int, data []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineSize)
	n := 0
	for sc.Scan() {
		n++
		data := bytes.TrimSpace(sc.Bytes())
		if len(data) == 0 {
			continue
		}
		if err := fn(n, data); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return importer.Errorf(file, n+1, "line longer than %d MiB", MaxLineSize>>20)
		}
		return fmt.Errorf("read %s: %w", file, err)
	}
	return nil
}

// decodeLine decodes one JSON Lines record into v; an error names file and
// line and, for malformed JSON, the column.
func decodeLine(file string, line int, data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return importer.Errorf(file, line, "invalid JSON at column %d: %v", se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(record)"
		}
		return importer.Errorf(file, line, "field %s at column %d: expected %s, got JSON %s",
			field, te.Offset, importer.JSONKind(te.Type), te.Value)
	}
	return importer.Errorf(file, line, "invalid JSON: %v", err)
}
