package importer

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/collectorstash/csm/catalog"
)

// LocalImages describes a folder of locally served card images of one
// format, one file per card named <name><Ext>.
type LocalImages struct {
	URLPrefix string // served URL of the folder, ending in "/"
	Source    string // catalog.ImportImage.Source
	Format    string // image.DecodeConfig format name, e.g. "png" or "jpeg"
	Ext       string // file name extension with the dot, e.g. ".png"
}

// Read returns the image <name><Ext> of dir, or nil when that file does not
// exist. A file that is not of the Format is an error. Only the header is
// read; the caller registers the decoder of the Format (for example with a
// blank import of image/png).
func (li LocalImages) Read(dir, name string) (*catalog.ImportImage, error) {
	path, err := filepath.Abs(filepath.Join(dir, name+li.Ext))
	if err != nil {
		return nil, fmt.Errorf("image path: %w", err)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open image: %w", err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	if format != li.Format {
		return nil, fmt.Errorf("image %s: %s data in a %s file", path, format, li.Ext)
	}
	return &catalog.ImportImage{
		URL:    li.URLPrefix + name + li.Ext,
		Source: li.Source,
		Width:  cfg.Width,
		Height: cfg.Height,
		Format: li.Format,
		Path:   path,
	}, nil
}
