// Package recognizer orchestrates the scan pipeline over the stage
// interfaces of package catalog: decode → detect + rectify every card → embed
// (both orientations, one batch) → ANN search → OCR → local-feature
// verification → weighted scoring into the documented confidence buckets.
//
// The stages live in sub-packages (decode, detect, quality, embed, ocr,
// verify, match); cgo stays inside them. This package is pure Go and is
// wired to concrete stages only in main.
package recognizer
