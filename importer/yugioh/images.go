package yugioh

import (
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // register the JPEG decoder for image.DecodeConfig
	"io/fs"
	"os"
	"path/filepath"

	"github.com/collectorstash/csm/catalog"
)

// Image fields of the locally served card images.
const (
	ImageURLPrefix = "/static/images/csm/yugioh/"
	ImageSource    = "ygoprodeck"
	ImageFormat    = "jpeg"
)

// imageFinder looks card images up by passcode, once per passcode.
type imageFinder struct {
	dir   string
	cache map[string]*catalog.ImportImage
}

// find returns the image of passcode when dir holds <passcode>.jpg, nil when
// it does not (or there is no dir or passcode). A file that is not a JPEG is
// an error.
func (f *imageFinder) find(passcode string) (*catalog.ImportImage, error) {
	if f.dir == "" || passcode == "" {
		return nil, nil
	}
	if img, ok := f.cache[passcode]; ok {
		return img, nil
	}
	img, err := readImage(f.dir, passcode)
	if err != nil {
		return nil, err
	}
	if f.cache == nil {
		f.cache = map[string]*catalog.ImportImage{}
	}
	f.cache[passcode] = img
	return img, nil
}

// readImage reads the header of <dir>/<passcode>.jpg.
func readImage(dir, passcode string) (*catalog.ImportImage, error) {
	path, err := filepath.Abs(filepath.Join(dir, passcode+".jpg"))
	if err != nil {
		return nil, fmt.Errorf("image path: %w", err)
	}
	file, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open image: %w", err)
	}
	defer file.Close()
	cfg, format, err := image.DecodeConfig(file)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	if format != ImageFormat {
		return nil, fmt.Errorf("image %s: %s data in a .jpg file", path, format)
	}
	return &catalog.ImportImage{
		URL:    ImageURLPrefix + passcode + ".jpg",
		Source: ImageSource,
		Width:  cfg.Width,
		Height: cfg.Height,
		Format: ImageFormat,
		Path:   path,
	}, nil
}
