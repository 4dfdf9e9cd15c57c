package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

// forumRoutes mounts the forum's JSON API and its HTML pages.
func (s *Server) forumRoutes(r *gin.Engine, auth gin.HandlerFunc, admin *gin.RouterGroup) {
	cs := s.cfg.Community
	f := r.Group("/api/forum")
	f.GET("/categories", s.forumCategories)
	f.GET("/threads", s.forumThreads)
	f.POST("/threads", auth, bodyCall(s, http.StatusCreated, actor, cs.CreateThread))
	f.GET("/threads/:id", s.forumThread)
	f.POST("/threads/:id/posts", auth, idBodyStatus(s, http.StatusCreated, "id", actor, cs.Reply))
	f.PATCH("/posts/:id", auth, idBodyCall(s, "id", actor, cs.EditPost))
	f.DELETE("/posts/:id", auth, idDelete(s, "id", actor, cs.DeletePost))

	admin.POST("/forum/categories", bodyCall(s, http.StatusCreated, actor, cs.CreateCategory))
	admin.PATCH("/forum/threads/:id", idBodyCall(s, "id", actor, cs.ModerateThread))
	admin.DELETE("/forum/threads/:id", idDelete(s, "id", actor, cs.DeleteThread))

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
