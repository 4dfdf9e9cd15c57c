package yugioh

import (
	_ "image/jpeg" // register the JPEG decoder for image.DecodeConfig

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Image fields of the locally served card images.
const (
	ImageURLPrefix = "/static/images/csm/yugioh/"
	ImageSource    = "ygoprodeck"
	ImageFormat    = "jpeg"
)

// localImages are the <passcode>.jpg files of Options.ImagesDir.
var localImages = importer.LocalImages{URLPrefix: ImageURLPrefix, Source: ImageSource, Format: ImageFormat, Ext: ".jpg"}

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
	img, err := localImages.Read(f.dir, passcode)
	if err != nil {
		return nil, err
	}
	if f.cache == nil {
		f.cache = map[string]*catalog.ImportImage{}
	}
	f.cache[passcode] = img
	return img, nil
}
