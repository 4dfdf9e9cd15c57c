package embed

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// captureStderr runs fn with file descriptor 2 sent to a file and returns
// what was written there.
func captureStderr(t *testing.T, fn func()) string {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	defer f.Close()
	saved, err := syscall.Dup(2)
	require.NoError(t, err)
	require.NoError(t, syscall.Dup2(int(f.Fd()), 2))
	fn()
	require.NoError(t, syscall.Dup2(saved, 2))
	require.NoError(t, syscall.Close(saved))
	b, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	return string(b)
}

// TestQuietStderr: ONNX Runtime's schema noise is dropped while loading the
// real model; anything else written to standard error meanwhile is kept.
// (Not parallel: it owns file descriptor 2.)
func TestQuietStderr(t *testing.T) {
	out := captureStderr(t, func() {
		require.NoError(t, quietStderr(func() error {
			_, err := syscall.Write(2, []byte("Schema error: Trying to register schema with name Abs\n\nSchema error: Add\n\nreal error: kept\n"))
			return err
		}))
		e, err := New(Config{ModelPath: testModel, IntraOpThreads: 1})
		require.NoError(t, err)
		e.Close()
	})
	require.Contains(t, out, "real error: kept\n")
	require.NotContains(t, out, "Schema error")
	require.NotContains(t, out, "\n\n", "the blank line after each noise line goes too")
}
