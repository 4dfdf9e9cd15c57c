package postgres_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/postgres"
)

// The generated secret is made once: every caller, concurrent first calls
// included, gets the same 32 bytes, and a later call (a restart) too.
func TestSecretGeneratedOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const n = 8
	got := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := f.db.Secret(f.ctx, postgres.SecretSessionKey)
			require.NoError(t, err)
			got[i] = v
		}()
	}
	wg.Wait()
	require.Len(t, got[0], 32)
	for _, v := range got[1:] {
		require.Equal(t, got[0], v)
	}
	again, err := f.db.Secret(f.ctx, postgres.SecretSessionKey)
	require.NoError(t, err)
	require.Equal(t, got[0], again)
	other, err := f.db.Secret(f.ctx, "other")
	require.NoError(t, err)
	require.NotEqual(t, got[0], other)
}
