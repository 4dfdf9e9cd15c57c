package api

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

//go:embed forumweb
var forumFS embed.FS

// forumTemplates are the forum's pages. trusted marks a post's HTML, which
// community.RenderMarkdown sanitised when it was written.
var forumTemplates = template.Must(template.New("forum").Funcs(template.FuncMap{
	"trusted": func(s string) template.HTML { return template.HTML(s) }, //nolint:gosec // sanitised by bluemonday at write time
}).ParseFS(forumFS, "forumweb/*.html"))

// forumPageData is what the forum templates get.
type forumPageData struct {
	Title      string
	Username   string
	Self       string
	Categories []community.Category
	Category   community.Category
	Threads    community.ForumPage[community.ForumThread]
	Thread     community.ForumThread
	Posts      community.ForumPage[community.Post]
	Page       int
	Pages      int
	Prev, Next int
}

// paginate fills the pager of a listing.
func (d *forumPageData) paginate(page, size int, total int64) {
	d.Page = page
	d.Pages = max(1, int((total+int64(size)-1)/int64(size)))
	if page > 1 {
		d.Prev = page - 1
	}
	if page < d.Pages {
		d.Next = page + 1
	}
}

// forumPageRoutes mounts the HTML forum: /forum, /forum/c/{slug},
// /forum/t/{id} (?page=N or last) and its two assets.
func (s *Server) forumPageRoutes(r *gin.Engine) {
	r.GET("/forum", func(c *gin.Context) {
		cs, err := s.cfg.Community.Categories(c.Request.Context())
		if err != nil {
			s.fail(c, err)
			return
		}
		s.forumPage(c, "index", forumPageData{Title: "Forum", Categories: cs})
	})
	r.GET("/forum/c/:slug", func(c *gin.Context) {
		pg := htmlPage(c)
		cat, list, err := s.cfg.Community.ForumThreads(c.Request.Context(), c.Param("slug"), catalog.Page{Page: pg, Size: community.DefaultForumPageSize})
		if err != nil {
			s.fail(c, err)
			return
		}
		d := forumPageData{Title: cat.Name, Category: cat, Threads: list}
		d.paginate(list.Page, list.Size, list.Total)
		s.forumPage(c, "category", d)
	})
	r.GET("/forum/t/:id", func(c *gin.Context) {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil || id <= 0 {
			s.fail(c, catalog.Errorf(catalog.ENOTFOUND, "Thread not found"))
			return
		}
		pg := htmlPage(c)
		size := community.DefaultForumPageSize
		if c.Query("page") == "last" {
			v, err := s.cfg.Community.Thread(c.Request.Context(), id, catalog.Page{Page: 1, Size: size})
			if err != nil {
				s.fail(c, err)
				return
			}
			pg = max(1, int((v.Posts.Total+int64(size)-1)/int64(size)))
		}
		v, err := s.cfg.Community.Thread(c.Request.Context(), id, catalog.Page{Page: pg, Size: size})
		if err != nil {
			s.fail(c, err)
			return
		}
		d := forumPageData{Title: v.Thread.Title, Thread: v.Thread, Posts: v.Posts}
		d.paginate(v.Posts.Page, v.Posts.Size, v.Posts.Total)
		s.forumPage(c, "thread", d)
	})
	for _, name := range []string{"forum.css", "forum.js"} {
		r.GET("/forum/assets/"+name, func(c *gin.Context) {
			c.Header("Cache-Control", "public, max-age=300")
			c.FileFromFS("forumweb/"+name, http.FS(forumFS))
		})
	}
}

// htmlPage reads ?page= leniently (pages are for people): 1 when absent
// or bad.
func htmlPage(c *gin.Context) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// forumPage renders one forum page with the pages' security headers.
func (s *Server) forumPage(c *gin.Context, name string, d forumPageData) {
	d.Username = principalOf(c).User.Username
	d.Self = c.Request.URL.RequestURI()
	s.htmlPage(c, forumTemplates.ExecuteTemplate, name, d)
}
