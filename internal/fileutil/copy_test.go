package fileutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCopyAndLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "a.txt")
	require.NoError(t, os.WriteFile(src, []byte("card"), 0o644))
	dst := filepath.Join(dir, "sub", "b.txt")
	require.NoError(t, Copy(src, dst))
	b, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.Equal(t, "card", string(b))
	_, err = os.Stat(dst + ".tmp")
	require.True(t, os.IsNotExist(err), "no temporary left")

	require.NoError(t, LinkOrCopy(src, dst), "replaces an existing file")
	b, err = os.ReadFile(dst)
	require.NoError(t, err)
	require.Equal(t, "card", string(b))
	require.Error(t, Copy(filepath.Join(dir, "missing"), dst))
}
