package pokemon

import (
	_ "image/png" // register the PNG decoder for image.DecodeConfig

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/importer"
)

// Image fields of the locally served card images.
const (
	ImageURLPrefix = "/static/images/csm/pokemon/"
	ImageSource    = "pokemontcg"
	ImageFormat    = "png"
)

// localImages are the <card id>.png files of Options.ImagesDir.
var localImages = importer.LocalImages{URLPrefix: ImageURLPrefix, Source: ImageSource, Format: ImageFormat, Ext: ".png"}

// findImage returns the image of card id when dir holds <id>.png, nil when it
// does not (or dir is "" or id is not a safe file name). A file that is not
// a PNG is an error.
func findImage(dir, id string) (*catalog.ImportImage, error) {
	if dir == "" || !validID(id) {
		return nil, nil
	}
	return localImages.Read(dir, id)
}
