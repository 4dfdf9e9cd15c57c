package mail_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/mail"
	"github.com/collectorstash/csm/mail/mailtest"
)

func TestSMTPSend(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	m := mail.SMTP{Addr: srv.Addr, From: "Collector Stash Market <noreply@csm.test>"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, m.Send(ctx, "seller@example.com", "Your listing expires soon: Pokémon", "Hello\n.hidden line\nbye"))
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, "noreply@csm.test", msgs[0].From)
	require.Equal(t, []string{"seller@example.com"}, msgs[0].To)
	require.Contains(t, msgs[0].Data, "Subject: =?utf-8?q?Your_listing_expires_soon:_Pok=C3=A9mon?=")
	require.Contains(t, msgs[0].Data, "\r\n.hidden line\r\n")

	require.Error(t, m.Send(ctx, "not an address", "x", "y"))
	require.Error(t, m.Send(ctx, "a@example.com", "bad\r\nBcc: victim@example.com", "y"))
	require.Len(t, srv.Messages(), 1)
}
