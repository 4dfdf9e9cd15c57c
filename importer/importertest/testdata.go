package importertest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// CopyTestdata copies the testdata folder of the package under test into a
// temporary directory and returns that directory.
func CopyTestdata(t testing.TB) string {
	t.Helper()
	dst := t.TempDir()
	require.NoError(t, os.CopyFS(dst, os.DirFS("testdata")))
	return dst
}

// LineOf returns the 1-based line of the first occurrence of sub in data; it
// fails t when there is none.
func LineOf(t testing.TB, data []byte, sub string) int {
	t.Helper()
	i := bytes.Index(data, []byte(sub))
	require.GreaterOrEqual(t, i, 0, "%q not in data", sub)
	return bytes.Count(data[:i], []byte{'\n'}) + 1
}

// At formats the "file:line:" prefix of a parse error, with the base name of
// file.
func At(file string, line int) string {
	return fmt.Sprintf("%s:%d:", filepath.Base(file), line)
}
