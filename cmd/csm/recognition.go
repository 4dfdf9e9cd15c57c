package main

import (
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
