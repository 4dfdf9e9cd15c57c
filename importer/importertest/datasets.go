package importertest

import (
	"os"
	"path/filepath"
	"testing"
)

// DatasetsEnv names the environment variable that points at the shared real
// data sets.
const DatasetsEnv = "CSM_SHARED_DATASETS"

// defaultDatasets is ../shared/datasets next to the module root, seen from an
// importer/<name> package (the working directory of its tests).
var defaultDatasets = filepath.Join("..", "..", "..", "shared", "datasets")

// SharedDatasets returns the folder of the shared real data sets,
// $CSM_SHARED_DATASETS or else ../shared/datasets next to the module root,
// and skips t when it does not exist.
func SharedDatasets(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(DatasetsEnv)
	if dir == "" {
		dir = defaultDatasets
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SKIP (optional data): the shared real data sets are not at %s (set %s; README, Data)", dir, DatasetsEnv)
	}
	return dir
}

// SharedDataset returns the folder sub of the shared real data sets: the
// first of $CSM_SHARED_DATASETS/sub and ../shared/datasets/sub (next to the
// module root) that is a directory. It skips t when neither is.
func SharedDataset(t testing.TB, sub string) string {
	t.Helper()
	var candidates []string
	if env := os.Getenv(DatasetsEnv); env != "" {
		candidates = append(candidates, env)
	}
	candidates = append(candidates, defaultDatasets)
	for _, c := range candidates {
		dir := filepath.Join(c, sub)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir
		}
	}
	t.Skipf("SKIP (optional data): the real data set %s is not in ../shared/datasets (set %s; README, Data)", sub, DatasetsEnv)
	return ""
}
