package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

// forumRoutes mounts the forum's JSON API and its HTML pages.
func (s *Server) forumRoutes(r *gin.Engine, auth gin.HandlerFunc, admin *gin.RouterGroup) {
	f := r.Group("/api/forum")
	f.GET("/categories", s.forumCategories)
	f.GET("/threads", s.forumThreads)
	f.POST("/threads", auth, s.createForumThread)
	f.GET("/threads/:id", s.forumThread)
	f.POST("/threads/:id/posts", auth, s.replyForumThread)
	f.PATCH("/posts/:id", auth, s.editForumPost)
	f.DELETE("/posts/:id", auth, idDelete(s, "id", actor, s.cfg.Community.DeletePost))

	admin.POST("/forum/categories", s.createForumCategory)
	admin.PATCH("/forum/threads/:id", s.moderateForumThread)
	admin.DELETE("/forum/threads/:id", idDelete(s, "id", actor, s.cfg.Community.DeleteThread))

	s.forumPageRoutes(r)
}

// forumPage parses page (1-based) and size (1–100, 20).
func forumPage(p *params) catalog.Page {
	return catalog.Page{Page: int(p.intRange("query", "page", 1, 1, 1_000_000)),
		Size: int(p.intRange("query", "size", community.DefaultForumPageSize, 1, community.MaxForumPageSize))}
}

func (s *Server) forumCategories(c *gin.Context) {
	cs, err := s.cfg.Community.Categories(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": cs})
}

func (s *Server) forumThreads(c *gin.Context) {
	p := newParams(c)
	slug := p.str("category", 64)
	pg := forumPage(p)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	_, list, err := s.cfg.Community.ForumThreads(c.Request.Context(), slug, pg)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, list)
}

func (s *Server) createForumThread(c *gin.Context) {
	var in struct {
		Category string `json:"category"`
		Title    string `json:"title"`
		Body     string `json:"body"`
	}
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Category == "" {
		in.Category = "general"
	}
	t, p, err := s.cfg.Community.CreateThread(c.Request.Context(), actor(c), in.Category, in.Title, in.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"thread": t, "post": p})
}

func (s *Server) forumThread(c *gin.Context) {
	p := newParams(c)
	id := p.intRange("path", "id", 0, 1, maxID)
	pg := forumPage(p)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.cfg.Community.Thread(c.Request.Context(), id, pg)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

type forumPostBody struct {
	Body  string  `json:"body"`
	Title *string `json:"title"`
}

func (s *Server) replyForumThread(c *gin.Context) {
	id, ok := s.communityPathID(c, "id")
	if !ok {
		return
	}
	var in forumPostBody
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	post, err := s.cfg.Community.Reply(c.Request.Context(), actor(c), id, in.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, post)
}

func (s *Server) editForumPost(c *gin.Context) {
	id, ok := s.communityPathID(c, "id")
	if !ok {
		return
	}
	var in forumPostBody
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	post, err := s.cfg.Community.EditPost(c.Request.Context(), actor(c), id, in.Body, in.Title)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, post)
}

func (s *Server) createForumCategory(c *gin.Context) {
	var in struct {
		Slug        string `json:"slug"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Position    int    `json:"position"`
	}
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	cat, err := s.cfg.Community.CreateCategory(c.Request.Context(), actor(c),
		community.Category{Slug: in.Slug, Name: in.Name, Description: in.Description, Position: in.Position})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, cat)
}

func (s *Server) moderateForumThread(c *gin.Context) {
	id, ok := s.communityPathID(c, "id")
	if !ok {
		return
	}
	var in struct {
		IsLocked *bool `json:"is_locked"`
		IsPinned *bool `json:"is_pinned"`
	}
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.cfg.Community.ModerateThread(c.Request.Context(), actor(c), id, in.IsLocked, in.IsPinned)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}
