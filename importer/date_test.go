package importer

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeDate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"1999/01/09": "1999-01-09", "2023-09-22": "2023-09-22", " 2001/7/4 ": "2001-07-04", "": "", "---": "",
	} {
		got, err := NormalizeDate(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"1999/13/01", "1999/02/30", "99/01/01", "1999/01", "1999/01/09/1", "19x9/01/01"} {
		_, err := NormalizeDate(in)
		require.Error(t, err, in)
	}
}
