package postgres

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// Errors of a server going away or coming back are EUNAVAILABLE (503), the
// rest keep their meaning.
func TestWrapClassifiesOutages(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"},
		&pgconn.PgError{Code: "57P03", Message: "the database system is starting up"},
		&pgconn.PgError{Code: "57P02"},
		&pgconn.PgError{Code: "08006"},
		&pgconn.PgError{Code: "53300"},
		fmt.Errorf("read: %w", io.ErrUnexpectedEOF),
		io.EOF,
	} {
		require.Equal(t, catalog.EUNAVAILABLE, catalog.ErrorCode(wrap("op", err, "")), "%v", err)
	}
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(wrap("op", pgx.ErrNoRows, "Session not found")))
	require.Equal(t, catalog.EINTERNAL, catalog.ErrorCode(wrap("op", &pgconn.PgError{Code: "23505"}, "")))
	require.Equal(t, catalog.EINTERNAL, catalog.ErrorCode(wrap("op", errors.New("x"), "")))
}
