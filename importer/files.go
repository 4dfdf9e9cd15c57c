package importer

import (
	"fmt"
	"os"
	"path/filepath"
)

// ReadSetFiles reads the set files of dir, those whose names keep accepts,, in name order,
// into values of a File-like type F (a base name and the contents). It is an
// error when dir cannot be read, when a file cannot, or when no file is kept.
func ReadSetFiles[F ~struct {
	Name string
	Data []byte
}](dir string, keep func(name string) bool) ([]F, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read dir: %w", err)
	}
	var files []F
	for _, e := range ents {
		if e.IsDir() || !keep(e.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", e.Name(), err)
		}
		files = append(files, F{Name: e.Name(), Data: data})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("read dir: no set files in %s", dir)
	}
	return files, nil
}
