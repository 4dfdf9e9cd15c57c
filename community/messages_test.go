package community_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

func TestSendMessageNotifiesAndPushes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	alice, bob := f.user("alice"), f.user("bob")

	m, err := f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "Bob", Subject: "Charizard", Body: " Still for sale? ", ListingID: ptr(int64(42))})
	require.NoError(t, err)
	require.Equal(t, alice.ID, m.SenderID)
	require.Equal(t, bob.ID, m.RecipientID)
	require.Equal(t, "alice", m.FromUsername)
	require.Equal(t, "bob", m.ToUsername)
	require.Equal(t, "Still for sale?", m.Body)
	require.Equal(t, int64(42), *m.ListingID)
	require.Equal(t, community.DirectionSent, m.Direction)
	require.False(t, m.IsRead)

	ns := f.notify.all()
	require.Len(t, ns, 1)
	require.Equal(t, bob.ID, ns[0].UserID)
	require.Equal(t, community.KindNewMessage, ns[0].Kind)
	require.Equal(t, "Message from alice", ns[0].Title)
	require.Equal(t, m.ID, ns[0].Data["message_id"])
	evs := f.events.all()
	require.Len(t, evs, 1)
	require.Equal(t, catalog.FrameNotification, evs[0].Type)
	require.Equal(t, catalog.UserTopic(bob.ID), evs[0].Topic)
	require.Equal(t, "new_message", evs[0].Data.(community.NotificationFrame).Kind)

	// a failing notifier never fails the send
	f.notify.err = errors.New("feed down")
	_, err = f.svc.SendMessage(f.ctx, bob, community.NewMessage{To: "alice", Body: "yes"})
	require.NoError(t, err)
}

func TestSendMessageRefusals(t *testing.T) {
	t.Parallel()
	f := setup(t)
	alice, bob := f.user("alice"), f.user("bob")
	carol := f.user("carol")

	_, err := f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "alice", Body: "me"})
	code(t, catalog.EINVALID, err)
	_, err = f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "nobody", Body: "hi"})
	code(t, catalog.ENOTFOUND, err)
	_, err = f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "bob", Body: "hi", ListingID: ptr(int64(7))})
	code(t, catalog.ENOTFOUND, err)

	var ae *catalog.Error
	_, err = f.svc.SendMessage(f.ctx, alice, community.NewMessage{Body: strings.Repeat("x", 5001), Subject: strings.Repeat("s", 201)})
	require.ErrorAs(t, err, &ae)
	require.Equal(t, catalog.EVALIDATION, ae.Code)
	require.Len(t, ae.Fields, 3) // to_username, body, subject
	_, err = f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "bob", Body: "   "})
	code(t, catalog.EVALIDATION, err)
	_, err = f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "bob", Body: strings.Repeat("é", 5000)})
	require.NoError(t, err, "5000 characters are allowed, whatever their bytes")

	// bob blocks alice: her messages are refused, others' are not
	_, created, err := f.svc.BlockUser(f.ctx, bob, community.BlockRequest{Username: "alice"})
	require.NoError(t, err)
	require.True(t, created)
	_, err = f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "bob", Body: "hello?"})
	code(t, catalog.EFORBIDDEN, err)
	_, err = f.svc.SendMessage(f.ctx, carol, community.NewMessage{To: "bob", Body: "hi bob"})
	require.NoError(t, err)
	blocked, err := f.svc.Blocked(f.ctx, bob.ID, alice.ID)
	require.NoError(t, err)
	require.True(t, blocked)
	blocked, err = f.svc.Blocked(f.ctx, alice.ID, bob.ID)
	require.NoError(t, err)
	require.False(t, blocked)

	// unblock: she can write again
	require.NoError(t, f.svc.UnblockUser(f.ctx, bob, "alice"))
	code(t, catalog.ENOTFOUND, f.svc.UnblockUser(f.ctx, bob, "alice"))
	_, err = f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "bob", Body: "hello again"})
	require.NoError(t, err)
	_, _, err = f.svc.BlockUser(f.ctx, bob, community.BlockRequest{Username: "bob"})
	code(t, catalog.EINVALID, err)
}

func TestFoldersThreadsAndPrivacy(t *testing.T) {
	t.Parallel()
	f := setup(t)
	alice, bob, carol := f.user("alice"), f.user("bob"), f.user("carol")

	first, err := f.svc.SendMessage(f.ctx, alice, community.NewMessage{To: "bob", Subject: "Base Set", Body: "1", ListingID: ptr(int64(42))})
	require.NoError(t, err)
	reply, err := f.svc.SendMessage(f.ctx, bob, community.NewMessage{To: "alice", Body: "2", ParentID: &first.ID})
	require.NoError(t, err)
	require.Equal(t, "Re: Base Set", reply.Subject)
	require.Equal(t, int64(42), *reply.ListingID, "a reply keeps the listing")
	_, err = f.svc.SendMessage(f.ctx, carol, community.NewMessage{To: "bob", Body: "3"})
	require.NoError(t, err)
	// carol cannot thread onto alice and bob's message
	_, err = f.svc.SendMessage(f.ctx, carol, community.NewMessage{To: "bob", Body: "x", ParentID: &first.ID})
	code(t, catalog.ENOTFOUND, err)

	inbox, err := f.svc.ListMessages(f.ctx, bob, community.MessageQuery{})
	require.NoError(t, err)
	require.Equal(t, community.FolderInbox, inbox.Folder)
	require.Len(t, inbox.Items, 2)
	require.Equal(t, inbox.Items, inbox.Messages)
	require.Equal(t, int64(2), inbox.UnreadCount)
	require.Equal(t, "3", inbox.Items[0].Body, "newest first")
	require.Equal(t, community.DirectionReceived, inbox.Items[0].Direction)

	sent, err := f.svc.ListMessages(f.ctx, bob, community.MessageQuery{Folder: community.FolderSent})
	require.NoError(t, err)
	require.Len(t, sent.Items, 1)
	all, err := f.svc.ListMessages(f.ctx, bob, community.MessageQuery{Folder: community.FolderAll, ListingID: ptr(int64(42))})
	require.NoError(t, err)
	require.Len(t, all.Items, 2)
	limited, err := f.svc.ListMessages(f.ctx, bob, community.MessageQuery{Folder: community.FolderAll, Limit: 1})
	require.NoError(t, err)
	require.Len(t, limited.Items, 1)

	// carol sees none of alice and bob's messages
	_, err = f.svc.GetMessage(f.ctx, carol, first.ID)
	code(t, catalog.ENOTFOUND, err)
	code(t, catalog.ENOTFOUND, f.svc.DeleteMessage(f.ctx, carol, first.ID))
	cs, err := f.svc.ListMessages(f.ctx, carol, community.MessageQuery{Folder: community.FolderAll})
	require.NoError(t, err)
	require.Len(t, cs.Items, 1)

	// threads group by member and listing, newest conversation first, and
	// mark what bob received read
	th, err := f.svc.MessageThreads(f.ctx, bob, community.ThreadQuery{})
	require.NoError(t, err)
	require.Len(t, th.Items, 2)
	require.Equal(t, "carol", th.Items[0].WithUsername)
	require.Equal(t, 1, th.Items[0].UnreadCount)
	require.Equal(t, "alice", th.Items[1].WithUsername)
	require.Equal(t, 2, th.Items[1].MessageCount)
	require.Equal(t, []string{"1", "2"}, []string{th.Items[1].Messages[0].Body, th.Items[1].Messages[1].Body})
	require.Equal(t, int64(0), th.UnreadCount)
	inbox, err = f.svc.ListMessages(f.ctx, bob, community.MessageQuery{})
	require.NoError(t, err)
	require.Equal(t, int64(0), inbox.UnreadCount)
	require.True(t, inbox.Items[0].IsRead)
	// alice's copy of her own message is unaffected; her reply is unread
	aliceInbox, err := f.svc.ListMessages(f.ctx, alice, community.MessageQuery{})
	require.NoError(t, err)
	require.Equal(t, int64(1), aliceInbox.UnreadCount)

	// one listing's thread, one member's thread
	th, err = f.svc.MessageThreads(f.ctx, alice, community.ThreadQuery{ListingID: ptr(int64(42))})
	require.NoError(t, err)
	require.Len(t, th.Items, 1)
	th, err = f.svc.MessageThreads(f.ctx, bob, community.ThreadQuery{With: "carol"})
	require.NoError(t, err)
	require.Len(t, th.Items, 1)
	require.Equal(t, "carol", th.Items[0].WithUsername)

	// deleting hides it for bob only
	require.NoError(t, f.svc.DeleteMessage(f.ctx, bob, first.ID))
	_, err = f.svc.GetMessage(f.ctx, bob, first.ID)
	code(t, catalog.ENOTFOUND, err)
	got, err := f.svc.GetMessage(f.ctx, alice, first.ID)
	require.NoError(t, err)
	require.Equal(t, community.DirectionSent, got.Direction)
}
