package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type forumThreadJSON struct {
	Thread struct {
		ID           int64  `json:"id"`
		Title        string `json:"title"`
		CategorySlug string `json:"category_slug"`
		IsLocked     bool   `json:"is_locked"`
	} `json:"thread"`
	Post struct {
		ID       int64  `json:"id"`
		BodyHTML string `json:"body_html"`
	} `json:"post"`
}

// newThread opens a thread through the API.
func newThread(t *testing.T, c *client, category, title, body string) forumThreadJSON {
	t.Helper()
	r := c.do(http.MethodPost, "/api/forum/threads", map[string]any{"category": category, "title": title, "body": body})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var th forumThreadJSON
	r.json(&th)
	return th
}

func TestForumAPI(t *testing.T) {
	t.Parallel()
	f := setupCommunity(t)
	alice, _, aliceName := f.member("alice")
	bob, _, _ := f.member("bob")
	admin := f.admin()

	var cats struct {
		Items []struct {
			Slug string `json:"slug"`
		} `json:"items"`
	}
	r := f.anon().do(http.MethodGet, "/api/forum/categories", nil)
	require.Equal(t, http.StatusOK, r.status)
	r.json(&cats)
	require.NotEmpty(t, cats.Items)

	th := newThread(t, alice, "grading", "PSA 10?", "**worth it**")
	require.Equal(t, "grading", th.Thread.CategorySlug)
	require.Contains(t, th.Post.BodyHTML, "<strong>worth it</strong>")
	id := strconv.FormatInt(th.Thread.ID, 10)

	for _, b := range []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"title": strings.Repeat("t", 201), "body": "x"}, http.StatusUnprocessableEntity},
		{map[string]any{"title": "t", "body": strings.Repeat("b", 20001)}, http.StatusUnprocessableEntity},
		{map[string]any{"title": "t"}, http.StatusUnprocessableEntity},
		{map[string]any{"title": "t", "body": "b", "category": "nope"}, http.StatusNotFound},
		{map[string]any{"title": 5, "body": "b"}, http.StatusBadRequest},
	} {
		r = alice.do(http.MethodPost, "/api/forum/threads", b.body)
		require.Equal(t, b.status, r.status, "%v: %s", b.body, r.body)
	}
	r = f.anon().do(http.MethodPost, "/api/forum/threads", map[string]any{"title": "t", "body": "b"})
	require.Equal(t, http.StatusUnauthorized, r.status)

	r = bob.do(http.MethodPost, "/api/forum/threads/"+id+"/posts", map[string]any{"body": "yes"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var reply struct {
		ID int64 `json:"id"`
	}
	r.json(&reply)
	var view struct {
		Thread struct {
			ReplyCount int `json:"reply_count"`
		} `json:"thread"`
		Posts struct {
			Items []map[string]any `json:"items"`
			Page  int              `json:"page"`
			Size  int              `json:"size"`
			Total int64            `json:"total"`
		} `json:"posts"`
	}
	r = f.anon().do(http.MethodGet, "/api/forum/threads/"+id+"?size=1&page=2", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&view)
	require.Equal(t, int64(2), view.Posts.Total)
	require.Len(t, view.Posts.Items, 1)
	require.Equal(t, 1, view.Thread.ReplyCount)
	for _, q := range []string{"?size=101", "?page=0"} {
		r = f.anon().do(http.MethodGet, "/api/forum/threads/"+id+q, nil)
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
	}
	r = f.anon().do(http.MethodGet, "/api/forum/threads/999999", nil)
	require.Equal(t, http.StatusNotFound, r.status)
	r = f.anon().do(http.MethodGet, "/api/forum/threads?category=grading", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, string(r.body), "PSA 10?")

	// edits: the author only
	rid := strconv.FormatInt(reply.ID, 10)
	r = alice.do(http.MethodPatch, "/api/forum/posts/"+rid, map[string]any{"body": "hijack"})
	require.Equal(t, http.StatusForbidden, r.status)
	r = bob.do(http.MethodPatch, "/api/forum/posts/"+rid, map[string]any{"body": "yes, *edited*"})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), "edited_at")

	// admin: lock, then delete
	r = bob.do(http.MethodPatch, "/api/admin/forum/threads/"+id, map[string]any{"is_locked": true})
	require.Equal(t, http.StatusForbidden, r.status)
	r = admin.do(http.MethodPatch, "/api/admin/forum/threads/"+id, map[string]any{"is_locked": true, "is_pinned": true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = bob.do(http.MethodPost, "/api/forum/threads/"+id+"/posts", map[string]any{"body": "locked?"})
	require.Equal(t, http.StatusForbidden, r.status)
	r = admin.do(http.MethodPost, "/api/admin/forum/categories", map[string]any{"slug": "lorcana", "name": "Lorcana"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)

	// the HTML pages
	for _, p := range []string{"/forum", "/forum/c/grading", "/forum/t/" + id, "/forum/t/" + id + "?page=last"} {
		r = f.anon().do(http.MethodGet, p, nil)
		require.Equal(t, http.StatusOK, r.status, p)
		require.Contains(t, r.header.Get("Content-Type"), "text/html")
		require.NotEmpty(t, r.header.Get("Content-Security-Policy"))
	}
	r = f.anon().do(http.MethodGet, "/forum/t/"+id, nil)
	require.Contains(t, string(r.body), "<strong>worth it</strong>")
	require.Contains(t, string(r.body), aliceName)
	r = f.anon().do(http.MethodGet, "/forum/assets/forum.js", nil)
	require.Equal(t, http.StatusOK, r.status)

	r = admin.do(http.MethodDelete, "/api/admin/forum/threads/"+id, nil)
	require.Equal(t, http.StatusNoContent, r.status)
	r = f.anon().do(http.MethodGet, "/forum/t/"+id, nil)
	require.Equal(t, http.StatusNotFound, r.status)
}
