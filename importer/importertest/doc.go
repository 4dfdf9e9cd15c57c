// Package importertest holds the test helpers the importer packages share:
// finding the shared real data sets, checking parsed sets for what the store
// relies on (natural keys, valid values) and checking malformed-input errors.
package importertest
