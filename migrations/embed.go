// Package migrations holds the database schema as goose SQL migrations,
// embedded so every binary can migrate the database it is pointed at.
package migrations

import "embed"

// FS holds the *.sql migrations, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS
