package main

import (
	"image"
	"image/jpeg"
	"os"
	"path/filepath"

	"github.com/collectorstash/csm/internal/wire"
)

// recognitionConfig is the model and provider settings of cfg: the model
// file, CSM_ORT_PROVIDER (cpu | cuda), CSM_RECOGNIZER_THREADS and
// CSM_OCR_VARIANTS (preprocessing variants OCR tries per region, 1–4;
// wire.DefaultOCRVariants when unset).
func recognitionConfig(cfg *config) wire.Config {
	return wire.Config{ModelPath: cfg.Model, Provider: cfg.ORTProvider, Threads: cfg.RecognizerThreads,
		OCRVariants: cfg.OCRVariants}
}

// debugSink stores a scan's intermediate images under the static tree and
// returns their URLs (debug=true on /recognize).
func debugSink(dataDir string) func(scanID, name string, img image.Image) string {
	return func(scanID, name string, img image.Image) string {
		rel := filepath.Join("scans", "debug", scanID, name+".jpg")
		path := filepath.Join(dataDir, "static", rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return ""
		}
		f, err := os.Create(path)
		if err != nil {
			return ""
		}
		defer f.Close()
		if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 85}); err != nil {
			return ""
		}
		return "/static/" + filepath.ToSlash(rel)
	}
}
