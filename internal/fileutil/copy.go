// Package fileutil holds small file helpers shared by commands.
package fileutil

import (
	"io"
	"os"
	"path/filepath"
)

// Copy copies src to dst, creating dst's directory; dst appears whole or
// not at all (written beside it, then renamed).
func Copy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}

// LinkOrCopy hard-links src at dst (replacing dst), or copies it where a
// link is not possible (another file system).
func LinkOrCopy(src, dst string) error {
	_ = os.Remove(dst)
	if os.Link(src, dst) == nil {
		return nil
	}
	return Copy(src, dst)
}
