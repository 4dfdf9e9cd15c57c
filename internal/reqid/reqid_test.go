package reqid_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/internal/reqid"
)

func TestHandlerAddsTheRequestID(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	log := slog.New(reqid.Handler(slog.NewTextHandler(&b, nil))).With("svc", "api")
	ctx := reqid.With(context.Background(), "abc-1")
	log.InfoContext(ctx, "one")
	log.WithGroup("g").WarnContext(ctx, "two", "k", 1)
	log.Info("three") // no context: no id
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 3)
	require.Contains(t, lines[0], "request_id=abc-1")
	require.Contains(t, lines[1], "request_id=abc-1")
	require.NotContains(t, lines[2], "request_id")
	require.Equal(t, reqid.Handler(log.Handler()), log.Handler(), "wrapping twice adds nothing")
}

func TestNewIsValid(t *testing.T) {
	t.Parallel()
	require.True(t, reqid.Valid(reqid.New()))
	require.NotEqual(t, reqid.New(), reqid.New())
	for _, bad := range []string{"", "a b", "x\ny", strings.Repeat("a", 129), "é", `a"b`} {
		require.False(t, reqid.Valid(bad), bad)
	}
}

func FuzzValid(f *testing.F) {
	f.Add("req-1")
	f.Add("a\nrequest_id=forged")
	f.Fuzz(func(t *testing.T, id string) {
		if !reqid.Valid(id) {
			return
		}
		require.LessOrEqual(t, len(id), 128)
		require.NotContains(t, id, " ")
		require.NotContains(t, id, "\n")
		require.NotContains(t, id, "=")
		require.NotContains(t, id, `"`)
	})
}
