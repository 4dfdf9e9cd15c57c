package api

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFrameEncoding: the three header lengths of RFC 6455 §5.2, the
// payload read back, and one encoding per payload.
func TestFrameEncoding(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 125, 126, 65535, 65536, 70000} {
		p := bytes.Repeat([]byte{'x'}, n)
		var e frameEncoder
		f := e.encode(p)
		require.Equal(t, byte(0x81), f[0], "n=%d", n)
		switch {
		case n <= 125:
			require.Equal(t, byte(n), f[1])
			require.Len(t, f, n+2)
		case n <= 65535:
			require.Equal(t, []byte{126, byte(n >> 8), byte(n)}, f[1:4])
			require.Len(t, f, n+4)
		default:
			require.Equal(t, byte(127), f[1])
			require.Len(t, f, n+10)
		}
		require.Equal(t, p, framePayload(f))
		if n > 0 {
			require.Same(t, &f[0], &e.encode(p)[0], "the same payload is encoded once")
			q := append([]byte(nil), p...)
			require.NotSame(t, &f[0], &e.encode(q)[0], "another payload is encoded anew")
		}
	}
}
