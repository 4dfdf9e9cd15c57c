package pokemon

import (
	"errors"
	"fmt"
	"image"
	_ "image/png" // register the PNG decoder for image.DecodeConfig
	"io/fs"
	"os"
	"path/filepath"

	"github.com/collectorstash/csm/catalog"
)

// Image fields of the locally served card images.
const (
	ImageURLPrefix = "/static/images/csm/pokemon/"
	ImageSource    = "pokemontcg"
	ImageFormat    = "png"
)

// findImage returns the image of card id when dir holds <id>.png, nil when it
// does not (or dir is "" or id is not a safe file name). A file that is not
// a PNG is an error.
func findImage(dir, id string) (*catalog.ImportImage, error) {
	if dir == "" || !validID(id) {
		return nil, nil
	}
	path, err := filepath.Abs(filepath.Join(dir, id+".png"))
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
	if format != ImageFormat {
		return nil, fmt.Errorf("image %s: %s data in a .png file", path, format)
	}
	return &catalog.ImportImage{
		URL:    ImageURLPrefix + id + ".png",
		Source: ImageSource,
		Width:  cfg.Width,
		Height: cfg.Height,
		Format: ImageFormat,
		Path:   path,
	}, nil
}
