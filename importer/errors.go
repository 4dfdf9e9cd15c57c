// Package importer holds what every upstream-format importer shares: parse
// errors that name the file and line, JSON decoding errors that name the line
// of the failure, release-date normalisation, locally served card images,
// reading a folder of set files, and the loader that writes parsed sets
// through a catalog.CatalogWriter with a progress bar. Test helpers shared by
// the importers are in package importertest.
package importer

import (
	"bytes"
	"fmt"

	"github.com/collectorstash/csm/catalog"
)

// ParseError reports malformed input at a file and line (1-based; 0 = unknown).
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Errorf returns a catalog.EINVALID error wrapping a ParseError.
func Errorf(file string, line int, format string, args ...any) error {
	pe := &ParseError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	return &catalog.Error{Code: catalog.EINVALID, Message: pe.Error(), Err: pe}
}

// LineAt returns the 1-based line of byte offset off in data.
func LineAt(data []byte, off int64) int {
	if off < 0 {
		return 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}
