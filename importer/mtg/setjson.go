package mtg

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// setJSON holds the set-level fields of an MTGJSON set that the importer reads.
type setJSON struct {
	Code          string
	Name          string
	ReleaseDate   string
	Type          string
	Block         string
	BaseSetSize   int
	TotalSetSize  int
	IsForeignOnly bool
}

// ParseSetJSON parses one uncompressed MTGJSON set file (data, named file in
// errors). The cards and sealed products are decoded one element at a time,
// so an error names the line of the offending element.
func ParseSetJSON(file string, data []byte) (catalog.ImportSet, error) {
	p := &setReader{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	found := false
	err := p.object(func(key string) error {
		if key != "data" {
			return p.skip()
		}
		found = true
		return p.setObject()
	})
	if err != nil {
		return catalog.ImportSet{}, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return catalog.ImportSet{}, p.errorf("unexpected data after the JSON object")
	}
	if !found {
		return catalog.ImportSet{}, importer.Errorf(file, 1, `missing "data" object`)
	}
	return p.build()
}

// setReader walks one set file with a token decoder.
type setReader struct {
	file   string
	data   []byte
	dec    *json.Decoder
	set    setJSON
	setAt  int // line of the "data" object
	cards  []cardJSON
	sealed []sealedJSON
}

// line returns the line of the next value the decoder will read.
func (p *setReader) line() int {
	return importer.LineAt(p.data, importer.ValueStart(p.data, p.dec.InputOffset()))
}

// errorf returns a parse error at the decoder's current line.
func (p *setReader) errorf(format string, args ...any) error {
	return importer.Errorf(p.file, p.line(), format, args...)
}

// decode decodes the next value into v.
func (p *setReader) decode(v any) error {
	base := p.dec.InputOffset()
	if err := p.dec.Decode(v); err != nil {
		return importer.JSONErrorWithOffset(p.file, p.data, base, err)
	}
	return nil
}

// skip decodes and discards the next value.
func (p *setReader) skip() error {
	var raw json.RawMessage
	return p.decode(&raw)
}

// delim reads the next token and fails unless it is the delimiter want.
func (p *setReader) delim(want json.Delim, what string) error {
	line := p.line()
	base := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return importer.JSONErrorWithOffset(p.file, p.data, base, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return importer.Errorf(p.file, line, "expected %s", what)
	}
	return nil
}

// object reads a JSON object, calling fn for each key with the decoder
// positioned at the key's value; fn must consume the value.
func (p *setReader) object(fn func(key string) error) error {
	if err := p.delim('{', "a JSON object"); err != nil {
		return err
	}
	for p.dec.More() {
		base := p.dec.InputOffset()
		tok, err := p.dec.Token()
		if err != nil {
			return importer.JSONErrorWithOffset(p.file, p.data, base, err)
		}
		key, ok := tok.(string)
		if !ok {
			return p.errorf("expected an object key")
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return p.delim('}', "the end of the object")
}

// array reads a JSON array, calling fn with the line of each element and
// the decoder positioned at it; fn must consume the element.
func (p *setReader) array(fn func(line int) error) error {
	if err := p.delim('[', "a JSON array"); err != nil {
		return err
	}
	for p.dec.More() {
		if err := fn(p.line()); err != nil {
			return err
		}
	}
	return p.delim(']', "the end of the array")
}

// setObject reads the "data" object of a set file.
func (p *setReader) setObject() error {
	p.setAt = p.line()
	return p.object(func(key string) error {
		s := &p.set
		switch key {
		case "code":
			return p.decode(&s.Code)
		case "name":
			return p.decode(&s.Name)
		case "releaseDate":
			return p.decode(&s.ReleaseDate)
		case "type":
			return p.decode(&s.Type)
		case "block":
			return p.decode(&s.Block)
		case "baseSetSize":
			return p.decode(&s.BaseSetSize)
		case "totalSetSize":
			return p.decode(&s.TotalSetSize)
		case "isForeignOnly":
			return p.decode(&s.IsForeignOnly)
		case "cards":
			p.cards = p.cards[:0]
			return p.array(func(line int) error {
				var c cardJSON
				if err := p.decode(&c); err != nil {
					return err
				}
				c.line = line
				p.cards = append(p.cards, c)
				return nil
			})
		case "sealedProduct":
			p.sealed = p.sealed[:0]
			return p.array(func(line int) error {
				var sp sealedJSON
				if err := p.decode(&sp); err != nil {
					return err
				}
				sp.line = line
				p.sealed = append(p.sealed, sp)
				return nil
			})
		}
		return p.skip()
	})
}

// build turns what was read into the catalogue set.
func (p *setReader) build() (catalog.ImportSet, error) {
	j := p.set
	code := strings.TrimSpace(j.Code)
	if code == "" {
		return catalog.ImportSet{}, importer.Errorf(p.file, p.setAt, "set: missing code")
	}
	name := strings.TrimSpace(j.Name)
	if name == "" {
		return catalog.ImportSet{}, importer.Errorf(p.file, p.setAt, "set %s: missing name", code)
	}
	date, err := importer.NormalizeDate(j.ReleaseDate)
	if err != nil {
		return catalog.ImportSet{}, importer.Errorf(p.file, p.setAt, "set %s: releaseDate: %v", code, err)
	}
	total := j.BaseSetSize
	if total <= 0 {
		total = max(j.TotalSetSize, 0)
	}
	set := catalog.ImportSet{
		Code:        code,
		Name:        name,
		Series:      strings.TrimSpace(j.Block),
		ReleaseDate: date,
		TotalCards:  total,
		IsPromo:     j.Type == "promo",
		Language:    "en",
	}
	if set.Cards, err = buildCards(p.file, p.cards, j.IsForeignOnly); err != nil {
		return catalog.ImportSet{}, err
	}
	if set.Sealed, err = buildSealed(p.file, p.sealed); err != nil {
		return catalog.ImportSet{}, err
	}
	return set, nil
}
