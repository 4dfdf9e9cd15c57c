package importertest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

// RequireInvalid fails t unless err is a catalog.EINVALID error whose
// message contains every one of want.
func RequireInvalid(t testing.TB, err error, want ...string) {
	t.Helper()
	require.Error(t, err)
	for _, w := range want {
		require.ErrorContains(t, err, w)
	}
	require.Equal(t, catalog.EINVALID, catalog.ErrorCode(err), err.Error())
}

// ParsedOrInvalid reports whether err is nil, and fails t unless a non-nil
// err is a catalog.EINVALID error: what a parser fed arbitrary (fuzz) input
// may return. Callers check the parsed output when it reports true.
func ParsedOrInvalid(t testing.TB, err error) bool {
	t.Helper()
	if err == nil {
		return true
	}
	require.Equal(t, catalog.EINVALID, catalog.ErrorCode(err), err.Error())
	return false
}
