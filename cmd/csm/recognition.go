package main

import (
	"os"
	"runtime"
	"strconv"

	"github.com/collectorstash/csm/internal/wire"
)

// recognitionConfig reads the model and provider settings from the
// environment: CSM_MODEL (the .onnx; models/card-embed-v2.onnx by default),
// CSM_ORT_PROVIDER (cpu | cuda), CSM_RECOGNIZER_THREADS and
// CSM_OCR_VARIANTS (preprocessing variants OCR tries per region, 1–4;
// wire.DefaultOCRVariants when unset).
func recognitionConfig() wire.Config {
	threads := 0
	if n, err := strconv.Atoi(os.Getenv("CSM_RECOGNIZER_THREADS")); err == nil && n > 0 {
		threads = n
	} else {
		threads = runtime.GOMAXPROCS(0)
	}
	variants, _ := strconv.Atoi(os.Getenv("CSM_OCR_VARIANTS"))
	return wire.Config{ModelPath: env("CSM_MODEL", wire.DefaultModel()), Provider: env("CSM_ORT_PROVIDER", "cpu"), Threads: threads,
		OCRVariants: variants}
}
