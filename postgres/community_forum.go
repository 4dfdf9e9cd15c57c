package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

const categoryCols = `c.id, c.slug, c.name, c.description, c.position,
	(SELECT count(*) FROM forum_threads t WHERE t.category_id = c.id AND t.deleted_at IS NULL),
	(SELECT count(*) FROM forum_posts p JOIN forum_threads t ON t.id = p.thread_id
		WHERE t.category_id = c.id AND t.deleted_at IS NULL AND p.deleted_at IS NULL),
	(SELECT max(t.last_post_at) FROM forum_threads t WHERE t.category_id = c.id AND t.deleted_at IS NULL)`

func scanCategory(r pgx.Row) (community.Category, error) {
	var c community.Category
	err := r.Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.Position, &c.ThreadCount, &c.PostCount, &c.LastPostAt)
	if c.LastPostAt != nil {
		t := c.LastPostAt.UTC()
		c.LastPostAt = &t
	}
	return c, err
}

// Categories lists the boards in order with their counters.
func (s *CommunityStore) Categories(ctx context.Context) ([]community.Category, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT `+categoryCols+` FROM forum_categories c ORDER BY c.position, c.id`)
	if err != nil {
		return nil, wrap("forum: categories", err, "")
	}
	defer rows.Close()
	var out []community.Category
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, wrap("forum: categories", err, "")
		}
		out = append(out, c)
	}
	return out, wrap("forum: categories", rows.Err(), "")
}

// Category finds a board by slug.
func (s *CommunityStore) Category(ctx context.Context, slug string) (community.Category, error) {
	c, err := scanCategory(s.db.Pool.QueryRow(ctx, `SELECT `+categoryCols+` FROM forum_categories c WHERE c.slug = $1`, slug))
	return c, wrap("forum: category", err, "Forum category not found")
}

// CreateCategory adds a board.
func (s *CommunityStore) CreateCategory(ctx context.Context, in community.Category) (community.Category, error) {
	var id int64
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO forum_categories (slug, name, description, position) VALUES ($1, $2, $3, $4) RETURNING id`,
		in.Slug, in.Name, in.Description, in.Position).Scan(&id)
	if communityUniqueViolation(err) {
		return community.Category{}, catalog.Errorf(catalog.ECONFLICT, "Forum category %q exists", in.Slug)
	}
	if err != nil {
		return community.Category{}, wrap("forum: create category", err, "")
	}
	return s.Category(ctx, in.Slug)
}

const threadCols = `t.id, t.category_id, c.slug, t.title, t.author_id, u.username, t.is_locked, t.is_pinned,
	t.reply_count, t.created_at, t.last_post_at`

const threadFrom = ` FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id LEFT JOIN users u ON u.id = t.author_id`

func scanThread(r pgx.Row) (community.ForumThread, error) {
	var t community.ForumThread
	err := r.Scan(&t.ID, &t.CategoryID, &t.CategorySlug, &t.Title, &t.AuthorID, &t.AuthorUsername, &t.IsLocked, &t.IsPinned,
		&t.ReplyCount, &t.CreatedAt, &t.LastPostAt)
	t.CreatedAt, t.LastPostAt = t.CreatedAt.UTC(), t.LastPostAt.UTC()
	return t, err
}

// ForumThreads lists live threads, pinned first, then by last post.
func (s *CommunityStore) ForumThreads(ctx context.Context, categoryID int64, p catalog.Page) ([]community.ForumThread, int64, error) {
	where := ` WHERE t.deleted_at IS NULL AND ($1::bigint = 0 OR t.category_id = $1)`
	var total int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM forum_threads t`+where, categoryID).Scan(&total); err != nil {
		return nil, 0, wrap("forum: threads", err, "")
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT `+threadCols+threadFrom+where+`
		ORDER BY t.is_pinned DESC, t.last_post_at DESC, t.id DESC LIMIT $2 OFFSET $3`, categoryID, p.Size, p.Offset())
	if err != nil {
		return nil, 0, wrap("forum: threads", err, "")
	}
	defer rows.Close()
	var out []community.ForumThread
	for rows.Next() {
		t, err := scanThread(rows)
		if err != nil {
			return nil, 0, wrap("forum: threads", err, "")
		}
		out = append(out, t)
	}
	return out, total, wrap("forum: threads", rows.Err(), "")
}

// CreateForumThread stores a thread and its first post in one transaction.
func (s *CommunityStore) CreateForumThread(ctx context.Context, in community.NewThread) (community.ForumThread, community.Post, error) {
	var t community.ForumThread
	var p community.Post
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO forum_threads (category_id, author_id, title, created_at, last_post_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, in.CategoryID, in.AuthorID, in.Title, in.At).Scan(&id); err != nil {
			return err
		}
		var err error
		if p, err = scanPost(tx.QueryRow(ctx, `WITH ins AS (
			INSERT INTO forum_posts (thread_id, author_id, body, body_html, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *)
			SELECT p.id, p.thread_id, p.author_id, u.username, p.body, p.body_html, p.created_at, p.edited_at, false, true
			FROM ins p LEFT JOIN users u ON u.id = p.author_id`,
			id, in.AuthorID, in.Body, in.BodyHTML, in.At)); err != nil {
			return err
		}
		t, err = scanThread(tx.QueryRow(ctx, `SELECT `+threadCols+threadFrom+` WHERE t.id = $1`, id))
		return err
	})
	return t, p, wrap("forum: create thread", err, "")
}

// ForumThread returns a live thread.
func (s *CommunityStore) ForumThread(ctx context.Context, id int64) (community.ForumThread, error) {
	t, err := scanThread(s.db.Pool.QueryRow(ctx, `SELECT `+threadCols+threadFrom+` WHERE t.id = $1 AND t.deleted_at IS NULL`, id))
	return t, wrap("forum: thread", err, "Thread not found")
}

const postCols = `p.id, p.thread_id, p.author_id, u.username, p.body, p.body_html, p.created_at, p.edited_at, p.deleted_at IS NOT NULL,
	p.id = (SELECT min(f.id) FROM forum_posts f WHERE f.thread_id = p.thread_id)`

func scanPost(r pgx.Row) (community.Post, error) {
	var p community.Post
	err := r.Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.AuthorUsername, &p.Body, &p.BodyHTML, &p.CreatedAt, &p.EditedAt, &p.IsDeleted, &p.IsFirst)
	p.CreatedAt = p.CreatedAt.UTC()
	if p.EditedAt != nil {
		t := p.EditedAt.UTC()
		p.EditedAt = &t
	}
	if p.IsDeleted {
		p.Body, p.BodyHTML = community.DeletedPostBody, "<p><em>"+community.DeletedPostBody+"</em></p>"
	}
	return p, err
}

// ForumPosts lists a thread's posts oldest first.
func (s *CommunityStore) ForumPosts(ctx context.Context, threadID int64, pg catalog.Page) ([]community.Post, int64, error) {
	var total int64
	if err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM forum_posts WHERE thread_id = $1`, threadID).Scan(&total); err != nil {
		return nil, 0, wrap("forum: posts", err, "")
	}
	rows, err := s.db.Pool.Query(ctx, `SELECT `+postCols+` FROM forum_posts p LEFT JOIN users u ON u.id = p.author_id
		WHERE p.thread_id = $1 ORDER BY p.id LIMIT $2 OFFSET $3`, threadID, pg.Size, pg.Offset())
	if err != nil {
		return nil, 0, wrap("forum: posts", err, "")
	}
	defer rows.Close()
	var out []community.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, 0, wrap("forum: posts", err, "")
		}
		out = append(out, p)
	}
	return out, total, wrap("forum: posts", rows.Err(), "")
}

// AddForumPost adds a reply unless the thread is gone or locked or its
// author blocks the replier: the checks and the insert are one statement,
// and the thread's counters move in the same transaction.
func (s *CommunityStore) AddForumPost(ctx context.Context, in community.NewPost) (community.Post, error) {
	var p community.Post
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		var err error
		p, err = scanPost(tx.QueryRow(ctx, `WITH ins AS (
			INSERT INTO forum_posts (thread_id, author_id, body, body_html, created_at)
			SELECT t.id, $2, $3, $4, $5 FROM forum_threads t
			WHERE t.id = $1 AND t.deleted_at IS NULL AND NOT t.is_locked
			AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = t.author_id AND b.blocked_id = $2)
			RETURNING *)
			SELECT p.id, p.thread_id, p.author_id, u.username, p.body, p.body_html, p.created_at, p.edited_at, false, false
			FROM ins p LEFT JOIN users u ON u.id = p.author_id`,
			in.ThreadID, in.AuthorID, in.Body, in.BodyHTML, in.At))
		if err == pgx.ErrNoRows {
			return s.replyRefusal(ctx, tx, in)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE forum_threads SET reply_count = reply_count + 1, last_post_at = greatest(last_post_at, $2) WHERE id = $1`,
			in.ThreadID, in.At)
		return err
	})
	return p, wrap("forum: add post", err, "")
}

// replyRefusal tells why a reply was not inserted.
func (s *CommunityStore) replyRefusal(ctx context.Context, tx pgx.Tx, in community.NewPost) error {
	var locked, blocked bool
	err := tx.QueryRow(ctx, `SELECT t.is_locked,
		EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = t.author_id AND b.blocked_id = $2)
		FROM forum_threads t WHERE t.id = $1 AND t.deleted_at IS NULL`, in.ThreadID, in.AuthorID).Scan(&locked, &blocked)
	switch {
	case err == pgx.ErrNoRows:
		return catalog.Errorf(catalog.ENOTFOUND, "Thread not found")
	case err != nil:
		return err
	case locked:
		return catalog.Errorf(catalog.EFORBIDDEN, "Thread is locked")
	case blocked:
		return catalog.Errorf(catalog.EFORBIDDEN, "The author of this thread does not accept your replies")
	}
	return fmt.Errorf("forum: reply refused for no known reason")
}

// ForumPost returns a post of a live thread.
func (s *CommunityStore) ForumPost(ctx context.Context, id int64) (community.Post, error) {
	p, err := scanPost(s.db.Pool.QueryRow(ctx, `SELECT `+postCols+` FROM forum_posts p LEFT JOIN users u ON u.id = p.author_id
		JOIN forum_threads t ON t.id = p.thread_id WHERE p.id = $1 AND t.deleted_at IS NULL`, id))
	return p, wrap("forum: post", err, "Post not found")
}

// EditForumPost changes a live post's body (and its thread's title).
func (s *CommunityStore) EditForumPost(ctx context.Context, id int64, e community.PostEdit) (community.Post, error) {
	var p community.Post
	err := pgx.BeginFunc(ctx, s.db.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE forum_posts SET body = $2, body_html = $3, edited_at = $4 WHERE id = $1 AND deleted_at IS NULL`,
			id, e.Body, e.BodyHTML, e.At)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return catalog.Errorf(catalog.ENOTFOUND, "Post not found")
		}
		if e.Title != nil {
			if _, err := tx.Exec(ctx, `UPDATE forum_threads SET title = $2 WHERE id = (SELECT thread_id FROM forum_posts WHERE id = $1)`, id, *e.Title); err != nil {
				return err
			}
		}
		p, err = scanPost(tx.QueryRow(ctx, `SELECT `+postCols+` FROM forum_posts p LEFT JOIN users u ON u.id = p.author_id WHERE p.id = $1`, id))
		return err
	})
	return p, wrap("forum: edit post", err, "")
}

// DeleteForumPost soft-deletes a post; the first post takes its thread.
func (s *CommunityStore) DeleteForumPost(ctx context.Context, id int64, at time.Time) error {
	var threadID int64
	var first bool
	err := s.db.Pool.QueryRow(ctx, `UPDATE forum_posts p SET deleted_at = coalesce(p.deleted_at, $2) WHERE p.id = $1
		RETURNING p.thread_id, p.id = (SELECT min(f.id) FROM forum_posts f WHERE f.thread_id = p.thread_id)`, id, at).Scan(&threadID, &first)
	if err != nil {
		return wrap("forum: delete post", err, "Post not found")
	}
	if first {
		return s.DeleteForumThread(ctx, threadID, at)
	}
	return nil
}

// DeleteForumThread hides a thread.
func (s *CommunityStore) DeleteForumThread(ctx context.Context, id int64, at time.Time) error {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE forum_threads SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL`, id, at)
	if err == nil && tag.RowsAffected() == 0 {
		return catalog.Errorf(catalog.ENOTFOUND, "Thread not found")
	}
	return wrap("forum: delete thread", err, "")
}

// SetThreadFlags locks/pins a live thread.
func (s *CommunityStore) SetThreadFlags(ctx context.Context, id int64, locked, pinned *bool) (community.ForumThread, error) {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE forum_threads SET is_locked = coalesce($2, is_locked), is_pinned = coalesce($3, is_pinned)
		WHERE id = $1 AND deleted_at IS NULL`, id, locked, pinned)
	if err != nil {
		return community.ForumThread{}, wrap("forum: moderate thread", err, "")
	}
	if tag.RowsAffected() == 0 {
		return community.ForumThread{}, catalog.Errorf(catalog.ENOTFOUND, "Thread not found")
	}
	return s.ForumThread(ctx, id)
}
