package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/community"
)

// communityRoutes mounts private messages, blocks, reports and the forum
// (the seed's "Private messages", "Forum" and "Reports & blocks").
func (s *Server) communityRoutes(r *gin.Engine) {
	cs := s.cfg.Community
	auth := s.require(catalog.AccessAuth)
	m := r.Group("/api/messages", auth)
	m.GET("", queryCall(s, actor, messageQuery, cs.ListMessages))
	m.POST("", bodyCall(s, http.StatusCreated, actor, func(ctx context.Context, a community.Actor, in sendMessageBody) (community.Message, error) {
		return cs.SendMessage(ctx, a, in.message())
	}))
	m.GET("/threads", queryCall(s, actor, threadQuery, cs.MessageThreads))
	m.GET("/:id", idCall(s, "id", actor, cs.GetMessage))
	m.DELETE("/:id", idDelete(s, "id", actor, cs.DeleteMessage))

	b := r.Group("/api/blocks", auth)
	b.GET("", itemsCall(s, actor, cs.Blocks))
	b.POST("", bodyUpsert(s, actor, cs.BlockUser))
	b.DELETE("/:username", s.unblockUser)

	r.POST("/api/reports", auth, bodyCall(s, http.StatusCreated, actor, cs.CreateReport))
	r.GET("/api/reports", auth, queryCall(s, actor, reportPage, cs.MyReports))
	admin := r.Group("/api/admin", s.require(catalog.AccessAdmin))
	admin.GET("/reports", queryCall(s, actor, reportQueueQuery, cs.ReportQueue))
	admin.POST("/reports/:id/resolve", idBodyCall(s, "id", actor, cs.ResolveReport))

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

// message is the body as the community sees it: the first non-blank of
// to_username, to and recipient_username is the recipient.
func (in sendMessageBody) message() community.NewMessage {
	to := in.ToUsername
	for _, alias := range []string{in.To, in.RecipientUsername} {
		if strings.TrimSpace(to) == "" {
			to = alias
		}
	}
	return community.NewMessage{To: to, Subject: in.Subject, Body: in.Body, ListingID: in.ListingID, ParentID: in.ParentID}
}

// messageQuery parses GET /api/messages: folder, listing_id, limit, offset.
func messageQuery(p *params) community.MessageQuery {
	q := community.MessageQuery{
		Folder:    community.Folder(p.enum("folder", string(community.FolderInbox), string(community.FolderInbox), string(community.FolderSent), string(community.FolderAll))),
		ListingID: communityQueryID(p, "listing_id"),
	}
	q.Limit, q.Offset = pageQuery(p)
	return q
}

// threadQuery parses GET /api/messages/threads: listing_id, with, limit.
func threadQuery(p *params) community.ThreadQuery {
	return community.ThreadQuery{ListingID: communityQueryID(p, "listing_id"), With: p.str("with", 30),
		Limit: int(p.intRange("query", "limit", 500, 1, 500))}
}

func (s *Server) unblockUser(c *gin.Context) {
	if err := s.cfg.Community.UnblockUser(c.Request.Context(), actor(c), c.Param("username")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// pageQuery parses limit (1–100, 50) and offset.
func pageQuery(p *params) (limit, offset int) {
	return int(p.intRange("query", "limit", 50, 1, community.MaxListLimit)), int(p.intRange("query", "offset", 0, 0, 1_000_000))
}

// reportPage parses GET /api/reports: limit and offset.
func reportPage(p *params) community.ReportQuery {
	limit, offset := pageQuery(p)
	return community.ReportQuery{Limit: limit, Offset: offset}
}

// reportQueueQuery parses GET /api/admin/reports: status (open by default,
// or all), limit and offset.
func reportQueueQuery(p *params) community.ReportQuery {
	status := community.ReportStatus(p.enum("status", string(community.ReportOpen), "open", "resolved", "dismissed", "all"))
	q := reportPage(p)
	if status != "all" {
		q.Status = status
	}
	return q
}
