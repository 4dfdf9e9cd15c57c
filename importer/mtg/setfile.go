package mtg

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// MaxSetFileSize bounds the decompressed size of one set file (the largest
// MTGJSON set file is a few tens of MB), so a gzip bomb cannot exhaust memory.
const MaxSetFileSize = 512 << 20

// ParseSetFile reads one MTGJSON set file from r, gunzipping it on the fly
// when it starts with the gzip magic bytes, and parses it with ParseSetJSON.
// file names the input in errors.
func ParseSetFile(file string, r io.Reader) (catalog.ImportSet, error) {
	br := bufio.NewReader(r)
	src := io.Reader(br)
	compressed := false
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return catalog.ImportSet{}, importer.Errorf(file, 0, "gzip: %v", err)
		}
		defer zr.Close()
		src, compressed = zr, true
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(src, MaxSetFileSize+1))
	if err != nil {
		if compressed && isGzipError(err) {
			return catalog.ImportSet{}, importer.Errorf(file, importer.LineAt(buf.Bytes(), n), "gzip: %v", err)
		}
		return catalog.ImportSet{}, fmt.Errorf("read %s: %w", file, err)
	}
	if n > MaxSetFileSize {
		return catalog.ImportSet{}, importer.Errorf(file, 0, "larger than %d MiB", MaxSetFileSize>>20)
	}
	return ParseSetJSON(file, buf.Bytes())
}

// isGzipError reports whether err says the compressed data is corrupt or
// truncated, rather than that reading the underlying file failed.
func isGzipError(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ce)
}
