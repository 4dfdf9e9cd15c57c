package community_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

func TestForumThreadsAndReplies(t *testing.T) {
	t.Parallel()
	f := setup(t)
	alice, bob, carol := f.user("alice"), f.user("bob"), f.user("carol")
	admin := f.admin("root")

	cats, err := f.svc.Categories(f.ctx)
	require.NoError(t, err)
	require.Equal(t, "general", cats[0].Slug)

	opened, err := f.svc.CreateThread(f.ctx, alice, community.ThreadDraft{Category: "grading", Title: " PSA or BGS? ", Body: "Which **one**?\n<script>alert(1)</script>"})
	th, first := opened.Thread, opened.Post
	require.NoError(t, err)
	require.Equal(t, "PSA or BGS?", th.Title)
	require.Equal(t, "grading", th.CategorySlug)
	require.True(t, first.IsFirst)
	require.Contains(t, first.BodyHTML, "<strong>one</strong>")
	require.NotContains(t, first.BodyHTML, "<script")
	require.Contains(t, first.Body, "<script>", "the Markdown is kept as written")

	_, err = f.svc.CreateThread(f.ctx, alice, community.ThreadDraft{Category: "nope", Title: "t", Body: "b"})
	code(t, catalog.ENOTFOUND, err)
	var ae *catalog.Error
	_, err = f.svc.CreateThread(f.ctx, alice, community.ThreadDraft{Category: "general", Title: strings.Repeat("t", 201), Body: strings.Repeat("b", 20001)})
	require.ErrorAs(t, err, &ae)
	require.Len(t, ae.Fields, 2)
	_, err = f.svc.CreateThread(f.ctx, alice, community.ThreadDraft{Category: "general", Title: "ok", Body: strings.Repeat("b", 20000)})
	require.NoError(t, err)

	for i := range 5 {
		f.clock.Add(time.Minute)
		_, err := f.svc.Reply(f.ctx, bob, th.ID, community.PostDraft{Body: "reply " + string(rune('a'+i))})
		require.NoError(t, err)
	}
	v, err := f.svc.Thread(f.ctx, th.ID, catalog.Page{Page: 2, Size: 4})
	require.NoError(t, err)
	require.Equal(t, int64(6), v.Posts.Total)
	require.Len(t, v.Posts.Items, 2)
	require.Equal(t, "reply d", v.Posts.Items[0].Body)
	require.Equal(t, 5, v.Thread.ReplyCount)

	// threads: newest activity first; the category counters follow
	_, list, err := f.svc.ForumThreads(f.ctx, "", catalog.Page{})
	require.NoError(t, err)
	require.Equal(t, int64(2), list.Total)
	require.Equal(t, th.ID, list.Items[0].ID)
	_, list, err = f.svc.ForumThreads(f.ctx, "grading", catalog.Page{Page: 1, Size: 1})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	cat, _, err := f.svc.ForumThreads(f.ctx, "grading", catalog.Page{})
	require.NoError(t, err)
	require.Equal(t, int64(1), cat.ThreadCount)
	require.Equal(t, int64(6), cat.PostCount)

	// blocked by the thread's author: no replies; others still can
	_, _, err = f.svc.BlockUser(f.ctx, alice, community.BlockRequest{Username: "carol"})
	require.NoError(t, err)
	_, err = f.svc.Reply(f.ctx, carol, th.ID, community.PostDraft{Body: "let me in"})
	code(t, catalog.EFORBIDDEN, err)

	// locked: nobody replies; unlocked again
	locked := true
	_, err = f.svc.ModerateThread(f.ctx, alice, th.ID, community.ThreadFlags{IsLocked: &locked})
	code(t, catalog.EFORBIDDEN, err)
	mt, err := f.svc.ModerateThread(f.ctx, admin, th.ID, community.ThreadFlags{IsLocked: &locked})
	require.NoError(t, err)
	require.True(t, mt.IsLocked)
	_, err = f.svc.Reply(f.ctx, bob, th.ID, community.PostDraft{Body: "locked?"})
	code(t, catalog.EFORBIDDEN, err)
	locked = false
	_, err = f.svc.ModerateThread(f.ctx, admin, th.ID, community.ThreadFlags{IsLocked: &locked})
	require.NoError(t, err)
	_, err = f.svc.Reply(f.ctx, bob, 999999, community.PostDraft{Body: "x"})
	code(t, catalog.ENOTFOUND, err)
	_, err = f.svc.Reply(f.ctx, bob, th.ID, community.PostDraft{Body: " "})
	code(t, catalog.EVALIDATION, err)
}

func TestForumEditWindowAndDeletes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	alice, bob := f.user("alice"), f.user("bob")
	admin := f.admin("root")
	opened, err := f.svc.CreateThread(f.ctx, alice, community.ThreadDraft{Category: "general", Title: "Hello", Body: "first"})
	th, first := opened.Thread, opened.Post
	require.NoError(t, err)
	reply, err := f.svc.Reply(f.ctx, bob, th.ID, community.PostDraft{Body: "[x](javascript:alert(1)) hi"})
	require.NoError(t, err)
	require.NotContains(t, reply.BodyHTML, "javascript:")

	title := "Hello, world"
	p, err := f.svc.EditPost(f.ctx, alice, first.ID, community.PostDraft{Body: "first, *edited*", Title: &title})
	require.NoError(t, err)
	require.NotNil(t, p.EditedAt)
	require.Contains(t, p.BodyHTML, "<em>edited</em>")
	v, err := f.svc.Thread(f.ctx, th.ID, catalog.Page{})
	require.NoError(t, err)
	require.Equal(t, "Hello, world", v.Thread.Title)
	_, err = f.svc.EditPost(f.ctx, bob, first.ID, community.PostDraft{Body: "mine now"})
	code(t, catalog.EFORBIDDEN, err)
	_, err = f.svc.EditPost(f.ctx, bob, reply.ID, community.PostDraft{Body: "x", Title: &title})
	code(t, catalog.EINVALID, err)

	// past the window only admins edit
	f.clock.Add(f.svc.EditWindow() + time.Second)
	_, err = f.svc.EditPost(f.ctx, bob, reply.ID, community.PostDraft{Body: "too late"})
	code(t, catalog.EFORBIDDEN, err)
	code(t, catalog.EFORBIDDEN, f.svc.DeletePost(f.ctx, bob, reply.ID))
	_, err = f.svc.EditPost(f.ctx, admin, reply.ID, community.PostDraft{Body: "moderated"})
	require.NoError(t, err)

	// an admin deletes the reply: it stays as [deleted]; the first post takes the thread
	require.NoError(t, f.svc.DeletePost(f.ctx, admin, reply.ID))
	v, err = f.svc.Thread(f.ctx, th.ID, catalog.Page{})
	require.NoError(t, err)
	require.True(t, v.Posts.Items[1].IsDeleted)
	require.Equal(t, community.DeletedPostBody, v.Posts.Items[1].Body)
	require.NoError(t, f.svc.DeletePost(f.ctx, admin, first.ID))
	_, err = f.svc.Thread(f.ctx, th.ID, catalog.Page{})
	code(t, catalog.ENOTFOUND, err)

	opened2, err := f.svc.CreateThread(f.ctx, alice, community.ThreadDraft{Category: "general", Title: "Second", Body: "x"})
	th2 := opened2.Thread
	require.NoError(t, err)
	code(t, catalog.EFORBIDDEN, f.svc.DeleteThread(f.ctx, alice, th2.ID))
	require.NoError(t, f.svc.DeleteThread(f.ctx, admin, th2.ID))
	code(t, catalog.ENOTFOUND, f.svc.DeleteThread(f.ctx, admin, th2.ID))

	_, err = f.svc.CreateCategory(f.ctx, admin, community.NewCategory{Slug: "lorcana", Name: "Lorcana"})
	require.NoError(t, err)
	_, err = f.svc.CreateCategory(f.ctx, admin, community.NewCategory{Slug: "lorcana", Name: "Again"})
	code(t, catalog.ECONFLICT, err)
	_, err = f.svc.CreateCategory(f.ctx, admin, community.NewCategory{Slug: "Bad Slug", Name: "x"})
	code(t, catalog.EVALIDATION, err)
	_, err = f.svc.CreateCategory(f.ctx, alice, community.NewCategory{Slug: "mine", Name: "x"})
	code(t, catalog.EFORBIDDEN, err)
}
