package community

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/collectorstash/csm/catalog"
)

// Forum paging: 20 threads or posts a page by default, 100 at most.
const (
	DefaultForumPageSize = 20
	MaxForumPageSize     = 100
)

// DeletedPostBody stands in for a deleted post's text.
const DeletedPostBody = "[deleted]"

// Category is one forum board.
type Category struct {
	ID          int64      `json:"id"`
	Slug        string     `json:"slug"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Position    int        `json:"position"`
	ThreadCount int64      `json:"thread_count"`
	PostCount   int64      `json:"post_count"`
	LastPostAt  *time.Time `json:"last_post_at"`
}

// ForumThread is one discussion.
type ForumThread struct {
	ID             int64     `json:"id"`
	CategoryID     int64     `json:"category_id"`
	CategorySlug   string    `json:"category_slug"`
	Title          string    `json:"title"`
	AuthorID       *int64    `json:"author_id"`
	AuthorUsername *string   `json:"author_username"`
	IsLocked       bool      `json:"is_locked"`
	IsPinned       bool      `json:"is_pinned"`
	ReplyCount     int       `json:"reply_count"`
	CreatedAt      time.Time `json:"created_at"`
	LastPostAt     time.Time `json:"last_post_at"`
}

// Post is one message of a thread; BodyHTML is the sanitised rendering.
type Post struct {
	ID             int64      `json:"id"`
	ThreadID       int64      `json:"thread_id"`
	AuthorID       *int64     `json:"author_id"`
	AuthorUsername *string    `json:"author_username"`
	Body           string     `json:"body"`
	BodyHTML       string     `json:"body_html"`
	IsFirst        bool       `json:"is_first"`
	IsDeleted      bool       `json:"is_deleted"`
	CreatedAt      time.Time  `json:"created_at"`
	EditedAt       *time.Time `json:"edited_at"`
}

// NewThread is a thread with its first post, ready to store.
type NewThread struct {
	CategoryID int64
	AuthorID   int64
	Title      string
	Body       string
	BodyHTML   string
	At         time.Time
}

// NewPost is a reply, ready to store.
type NewPost struct {
	ThreadID int64
	AuthorID int64
	Body     string
	BodyHTML string
	At       time.Time
}

// PostEdit changes a post (Title only on a thread's first post).
type PostEdit struct {
	Body     string
	BodyHTML string
	Title    *string
	At       time.Time
}

// DefaultCategory is the board of a thread opened without one.
const DefaultCategory = "general"

// NewCategory is a board an admin adds (POST /api/admin/forum/categories).
type NewCategory struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Position    int    `json:"position"`
}

// ThreadDraft is a thread a member opens (POST /api/forum/threads): its
// board (DefaultCategory when empty), title and first post.
type ThreadDraft struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Body     string `json:"body"`
}

// OpenedThread is a new thread with its first post.
type OpenedThread struct {
	Thread ForumThread `json:"thread"`
	Post   Post        `json:"post"`
}

// PostDraft is the text of a reply or of a post's edit; Title edits the
// thread's title (an edit of the first post only; a reply has none).
type PostDraft struct {
	Body  string  `json:"body"`
	Title *string `json:"title"`
}

// ThreadFlags locks/unlocks and pins/unpins a thread; nil leaves a flag as
// it is.
type ThreadFlags struct {
	IsLocked *bool `json:"is_locked"`
	IsPinned *bool `json:"is_pinned"`
}

// ForumStore keeps the forum.
type ForumStore interface {
	Categories(ctx context.Context) ([]Category, error)
	// Category finds a board by slug (ENOTFOUND).
	Category(ctx context.Context, slug string) (Category, error)
	// CreateCategory adds a board (ECONFLICT on a taken slug).
	CreateCategory(ctx context.Context, c Category) (Category, error)
	// ForumThreads lists live threads (a category's, or all; 0 = all):
	// pinned first, then by last post; with the total.
	ForumThreads(ctx context.Context, categoryID int64, p catalog.Page) ([]ForumThread, int64, error)
	CreateForumThread(ctx context.Context, t NewThread) (ForumThread, Post, error)
	// ForumThread returns a live thread (ENOTFOUND).
	ForumThread(ctx context.Context, id int64) (ForumThread, error)
	// ForumPosts lists a thread's posts oldest first, with the total.
	ForumPosts(ctx context.Context, threadID int64, p catalog.Page) ([]Post, int64, error)
	// AddForumPost adds a reply in one statement, refused when the thread
	// is gone (ENOTFOUND), locked (EFORBIDDEN) or its author blocks the
	// replier (EFORBIDDEN).
	AddForumPost(ctx context.Context, p NewPost) (Post, error)
	// ForumPost returns a post of a live thread (ENOTFOUND).
	ForumPost(ctx context.Context, id int64) (Post, error)
	EditForumPost(ctx context.Context, id int64, e PostEdit) (Post, error)
	// DeleteForumPost soft-deletes a reply; the first post deletes its thread.
	DeleteForumPost(ctx context.Context, id int64, at time.Time) error
	DeleteForumThread(ctx context.Context, id int64, at time.Time) error
	// SetThreadFlags sets locked and/or pinned (nil leaves one as is).
	SetThreadFlags(ctx context.Context, id int64, locked, pinned *bool) (ForumThread, error)
}

// ForumPage is one page of a listing.
type ForumPage[T any] struct {
	Items []T   `json:"items"`
	Page  int   `json:"page"`
	Size  int   `json:"size"`
	Total int64 `json:"total"`
}

// ThreadView is a thread with one page of its posts.
type ThreadView struct {
	Thread ForumThread     `json:"thread"`
	Posts  ForumPage[Post] `json:"posts"`
}

func page(p catalog.Page) catalog.Page {
	if p.Page <= 0 {
		p.Page = 1
	}
	if p.Size <= 0 || p.Size > MaxForumPageSize {
		p.Size = DefaultForumPageSize
	}
	return p
}

// Categories lists the boards with their counters.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	cs, err := s.store.Categories(ctx)
	if err != nil {
		return nil, fmt.Errorf("forum categories: %w", err)
	}
	if cs == nil {
		cs = []Category{}
	}
	return cs, nil
}

var categorySlug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// CreateCategory adds a board (admins).
func (s *Service) CreateCategory(ctx context.Context, actor Actor, in NewCategory) (Category, error) {
	if !actor.IsAdmin {
		return Category{}, catalog.Errorf(catalog.EFORBIDDEN, "Admin only")
	}
	c := Category{Slug: in.Slug, Name: in.Name, Description: in.Description, Position: in.Position}
	var f fields
	if !categorySlug.MatchString(c.Slug) {
		f.add("slug", "lowercase letters, digits and dashes, at most 64", "value_error.str.regex")
	}
	f.text("name", c.Name, true, 100)
	f.text("description", c.Description, false, 500)
	if err := f.err(); err != nil {
		return Category{}, err
	}
	c.Name, c.Description = strings.TrimSpace(c.Name), strings.TrimSpace(c.Description)
	return s.store.CreateCategory(ctx, c)
}

// ForumThreads lists one page of a board's threads ("" = every board).
func (s *Service) ForumThreads(ctx context.Context, categorySlug string, p catalog.Page) (Category, ForumPage[ForumThread], error) {
	p = page(p)
	var c Category
	if categorySlug != "" {
		var err error
		if c, err = s.store.Category(ctx, categorySlug); err != nil {
			return Category{}, ForumPage[ForumThread]{}, err
		}
	}
	ts, total, err := s.store.ForumThreads(ctx, c.ID, p)
	if err != nil {
		return Category{}, ForumPage[ForumThread]{}, fmt.Errorf("forum threads: %w", err)
	}
	if ts == nil {
		ts = []ForumThread{}
	}
	return c, ForumPage[ForumThread]{Items: ts, Page: p.Page, Size: p.Size, Total: total}, nil
}

// CreateThread opens a thread with its first post in a board
// (DefaultCategory when the draft names none).
func (s *Service) CreateThread(ctx context.Context, actor Actor, in ThreadDraft) (OpenedThread, error) {
	if in.Category == "" {
		in.Category = DefaultCategory
	}
	var f fields
	f.text("title", in.Title, true, MaxThreadTitle)
	f.text("body", in.Body, true, MaxPostBody)
	if err := f.err(); err != nil {
		return OpenedThread{}, err
	}
	c, err := s.store.Category(ctx, in.Category)
	if err != nil {
		return OpenedThread{}, err
	}
	t, p, err := s.store.CreateForumThread(ctx, NewThread{CategoryID: c.ID, AuthorID: actor.ID,
		Title: strings.TrimSpace(in.Title), Body: in.Body, BodyHTML: RenderMarkdown(in.Body), At: s.now().UTC()})
	if err != nil {
		return OpenedThread{}, fmt.Errorf("create thread: %w", err)
	}
	return OpenedThread{Thread: t, Post: p}, nil
}

// Thread returns a thread and one page of its posts.
func (s *Service) Thread(ctx context.Context, id int64, p catalog.Page) (ThreadView, error) {
	p = page(p)
	t, err := s.store.ForumThread(ctx, id)
	if err != nil {
		return ThreadView{}, err
	}
	ps, total, err := s.store.ForumPosts(ctx, id, p)
	if err != nil {
		return ThreadView{}, fmt.Errorf("thread posts: %w", err)
	}
	if ps == nil {
		ps = []Post{}
	}
	return ThreadView{Thread: t, Posts: ForumPage[Post]{Items: ps, Page: p.Page, Size: p.Size, Total: total}}, nil
}

// Reply adds actor's post to a thread: refused in a locked thread and
// when the thread's author blocks actor. The draft's title is ignored.
func (s *Service) Reply(ctx context.Context, actor Actor, threadID int64, in PostDraft) (Post, error) {
	body := in.Body
	var f fields
	f.text("body", body, true, MaxPostBody)
	if err := f.err(); err != nil {
		return Post{}, err
	}
	p, err := s.store.AddForumPost(ctx, NewPost{ThreadID: threadID, AuthorID: actor.ID, Body: body,
		BodyHTML: RenderMarkdown(body), At: s.now().UTC()})
	if err != nil {
		return Post{}, fmt.Errorf("reply: %w", err)
	}
	return p, nil
}

// EditPost changes a post: its author within the edit window, or an admin.
// A title edits the thread's title (first post only).
func (s *Service) EditPost(ctx context.Context, actor Actor, id int64, in PostDraft) (Post, error) {
	body, title := in.Body, in.Title
	var f fields
	f.text("body", body, true, MaxPostBody)
	if title != nil {
		f.text("title", *title, true, MaxThreadTitle)
	}
	if err := f.err(); err != nil {
		return Post{}, err
	}
	p, err := s.store.ForumPost(ctx, id)
	if err != nil {
		return Post{}, err
	}
	if err := s.mayChange(actor, p); err != nil {
		return Post{}, err
	}
	if title != nil && !p.IsFirst {
		return Post{}, catalog.Errorf(catalog.EINVALID, "Only a thread's first post has a title")
	}
	if title != nil {
		t := strings.TrimSpace(*title)
		title = &t
	}
	return s.store.EditForumPost(ctx, id, PostEdit{Body: body, BodyHTML: RenderMarkdown(body), Title: title, At: s.now().UTC()})
}

// DeletePost removes a post (its author within the edit window, or an
// admin); deleting a first post deletes the thread.
func (s *Service) DeletePost(ctx context.Context, actor Actor, id int64) error {
	p, err := s.store.ForumPost(ctx, id)
	if err != nil {
		return err
	}
	if err := s.mayChange(actor, p); err != nil {
		return err
	}
	return s.store.DeleteForumPost(ctx, id, s.now().UTC())
}

// mayChange is the edit rule: admins always; authors within the window.
func (s *Service) mayChange(actor Actor, p Post) error {
	if actor.IsAdmin {
		return nil
	}
	if p.IsDeleted || p.AuthorID == nil || *p.AuthorID != actor.ID {
		return catalog.Errorf(catalog.EFORBIDDEN, "Not the author of this post")
	}
	if s.now().Sub(p.CreatedAt) > s.editWindow {
		return catalog.Errorf(catalog.EFORBIDDEN, "The edit window of this post has passed")
	}
	return nil
}

// ModerateThread locks/unlocks and pins/unpins a thread (admins).
func (s *Service) ModerateThread(ctx context.Context, actor Actor, id int64, in ThreadFlags) (ForumThread, error) {
	if !actor.IsAdmin {
		return ForumThread{}, catalog.Errorf(catalog.EFORBIDDEN, "Admin only")
	}
	return s.store.SetThreadFlags(ctx, id, in.IsLocked, in.IsPinned)
}

// DeleteThread removes a thread and its posts from view (admins).
func (s *Service) DeleteThread(ctx context.Context, actor Actor, id int64) error {
	if !actor.IsAdmin {
		return catalog.Errorf(catalog.EFORBIDDEN, "Admin only")
	}
	return s.store.DeleteForumThread(ctx, id, s.now().UTC())
}
