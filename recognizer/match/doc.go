// Package match scores how well text read by OCR agrees with catalogue
// strings: card names (NameSimilarity) and collector numbers or print codes
// (NumberSimilarity). Both return a score in [0, 1], are symmetric in their
// two strings, and never panic on any input. Pure Go.
package match
