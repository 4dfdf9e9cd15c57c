package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

// communityRoutes mounts private messages, blocks, reports and the forum
// (the seed's "Private messages", "Forum" and "Reports & blocks").
func (s *Server) communityRoutes(r *gin.Engine) {
	auth := s.require(catalog.AccessAuth)
	m := r.Group("/api/messages", auth)
	m.GET("", s.listMessages)
	m.POST("", s.sendMessage)
	m.GET("/threads", s.messageThreads)
	m.GET("/:id", idCall(s, "id", actor, s.cfg.Community.GetMessage))
	m.DELETE("/:id", idDelete(s, "id", actor, s.cfg.Community.DeleteMessage))

	b := r.Group("/api/blocks", auth)
	b.GET("", itemsCall(s, actor, s.cfg.Community.Blocks))
	b.POST("", s.blockUser)
	b.DELETE("/:username", s.unblockUser)

	r.POST("/api/reports", auth, s.createReport)
	r.GET("/api/reports", auth, s.myReports)
	admin := r.Group("/api/admin", s.require(catalog.AccessAdmin))
	admin.GET("/reports", s.reportQueue)
	admin.POST("/reports/:id/resolve", s.resolveReport)

	s.forumRoutes(r, auth, admin)
}

// actor is the signed-in caller as the community sees it.
func actor(c *gin.Context) community.Actor { return community.ActorOf(principalOf(c).User) }

// communityQueryID parses an optional positive id from the query.
func communityQueryID(p *params, name string) *int64 {
	if _, ok := p.c.GetQuery(name); !ok {
		return nil
	}
	id := p.intRange("query", name, 0, 1, maxID)
	if id == 0 {
		return nil
	}
	return &id
}

// communityPathID parses a positive path id; a bad one is a 422 written.
func (s *Server) communityPathID(c *gin.Context, name string) (int64, bool) {
	p := newParams(c)
	id := p.intRange("path", name, 0, 1, maxID)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return 0, false
	}
	return id, true
}

// sendMessageBody is POST /api/messages; to and recipient_username are
// aliases of to_username.
type sendMessageBody struct {
	ToUsername        string `json:"to_username"`
	To                string `json:"to"`
	RecipientUsername string `json:"recipient_username"`
	Subject           string `json:"subject"`
	Body              string `json:"body"`
	ListingID         *int64 `json:"listing_id"`
	ParentID          *int64 `json:"parent_id"`
}

func (s *Server) sendMessage(c *gin.Context) {
	var in sendMessageBody
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	to := in.ToUsername
	for _, alias := range []string{in.To, in.RecipientUsername} {
		if strings.TrimSpace(to) == "" {
			to = alias
		}
	}
	msg, err := s.cfg.Community.SendMessage(c.Request.Context(), actor(c), community.NewMessage{
		To: to, Subject: in.Subject, Body: in.Body, ListingID: in.ListingID, ParentID: in.ParentID})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, msg)
}

func (s *Server) listMessages(c *gin.Context) {
	p := newParams(c)
	q := community.MessageQuery{
		Folder:    community.Folder(p.enum("folder", string(community.FolderInbox), string(community.FolderInbox), string(community.FolderSent), string(community.FolderAll))),
		ListingID: communityQueryID(p, "listing_id"),
		Limit:     int(p.intRange("query", "limit", 50, 1, community.MaxListLimit)),
		Offset:    int(p.intRange("query", "offset", 0, 0, 1_000_000)),
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.cfg.Community.ListMessages(c.Request.Context(), actor(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, list)
}

func (s *Server) messageThreads(c *gin.Context) {
	p := newParams(c)
	q := community.ThreadQuery{ListingID: communityQueryID(p, "listing_id"), With: p.str("with", 30),
		Limit: int(p.intRange("query", "limit", 500, 1, 500))}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.cfg.Community.MessageThreads(c.Request.Context(), actor(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, list)
}

func (s *Server) blockUser(c *gin.Context) {
	var in struct {
		Username string `json:"username"`
	}
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	b, created, err := s.cfg.Community.BlockUser(c.Request.Context(), actor(c), strings.TrimSpace(in.Username))
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, b)
}

func (s *Server) unblockUser(c *gin.Context) {
	if err := s.cfg.Community.UnblockUser(c.Request.Context(), actor(c), c.Param("username")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) createReport(c *gin.Context) {
	var in struct {
		TargetType string `json:"target_type"`
		TargetID   int64  `json:"target_id"`
		Reason     string `json:"reason"`
		Category   string `json:"category"`
	}
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.cfg.Community.CreateReport(c.Request.Context(), actor(c), community.NewReport{
		TargetType: in.TargetType, TargetID: in.TargetID, Reason: in.Reason, Category: in.Category})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, rep)
}

// pageQuery parses limit (1–100, 50) and offset.
func pageQuery(p *params) (limit, offset int) {
	return int(p.intRange("query", "limit", 50, 1, community.MaxListLimit)), int(p.intRange("query", "offset", 0, 0, 1_000_000))
}

func (s *Server) myReports(c *gin.Context) {
	p := newParams(c)
	limit, offset := pageQuery(p)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	rs, total, err := s.cfg.Community.MyReports(c.Request.Context(), actor(c), limit, offset)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": rs, "total": total, "limit": limit, "offset": offset})
}

func (s *Server) reportQueue(c *gin.Context) {
	p := newParams(c)
	status := p.enum("status", string(community.ReportOpen), "open", "resolved", "dismissed", "all")
	limit, offset := pageQuery(p)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	q := community.ReportQuery{Status: community.ReportStatus(status), Limit: limit, Offset: offset}
	if status == "all" {
		q.Status = ""
	}
	rs, total, err := s.cfg.Community.ReportQueue(c.Request.Context(), actor(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": rs, "total": total, "limit": limit, "offset": offset, "status": status})
}

func (s *Server) resolveReport(c *gin.Context) {
	id, ok := s.communityPathID(c, "id")
	if !ok {
		return
	}
	var in struct {
		Status     string `json:"status"`
		Resolution string `json:"resolution"`
	}
	if err := readJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.cfg.Community.ResolveReport(c.Request.Context(), actor(c), id, in.Status, in.Resolution)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
