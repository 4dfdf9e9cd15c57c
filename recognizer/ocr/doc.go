// Package ocr reads the printed name, collector number and set code of a
// rectified card (upright, 420×600, border to border) with Tesseract.
//
// Where each field is printed is data: a Layout per game lists the regions
// (fractions of the card) to crop, the characters Tesseract may return and a
// normaliser that turns raw text into the catalogue's form (LOB-EN001,
// 4/102, OP01-001), fixing the usual OCR confusions (O/0, I/1, S/5, B/8) only
// where the field's pattern wants a digit or a letter. Every crop is tried in
// a few preprocessed variants (grey, Otsu, inverted, adaptive threshold) and
// the variant Tesseract is most confident about wins.
//
// Reader holds a small pool of Tesseract clients, which are costly to create
// and not safe for concurrent use; Close frees them.
package ocr
