package api

import (
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/notify"
)

// notifyRoutes mounts the seed's "Notifications": the feed, its per-kind
// unread counters, mark read and the e-mail opt-in.
func (s *Server) notifyRoutes(r *gin.Engine) {
	g := r.Group("/api/notifications", s.require(catalog.AccessAuth))
	g.GET("", s.listNotifications)
	g.GET("/unread", s.unreadNotifications)
	g.POST("/read-all", s.readAllNotifications)
	g.POST("/:id/read", s.readNotification)
	g.GET("/settings", s.notificationSettings)
	g.PUT("/settings", s.setNotificationSettings)
	g.POST("/settings", s.setNotificationSettings)
}

// kindParam reads ?kind=: any kind name (other services add kinds of
// their own), lower-case letters, digits and '_' or '.', ≤ 40 characters.
func kindParam(p *params) notify.Kind {
	k := p.str("kind", 40)
	if k != "" && !kindRE.MatchString(k) {
		p.add("query", "kind", "kind must be a notification kind such as "+string(notify.KindAlertTriggered), "value_error.str.regex")
		return ""
	}
	return notify.Kind(k)
}

var kindRE = regexp.MustCompile(`^[a-z0-9_.]{1,40}$`)

// listNotifications is GET /api/notifications (limit, offset, kind,
// unread=true): {"items", "total", "unread_count", "unread"}.
func (s *Server) listNotifications(c *gin.Context) {
	p := newParams(c)
	q := notify.ListQuery{
		Limit:      int(p.intRange("query", "limit", 50, 1, notify.MaxPage)),
		Offset:     int(p.intRange("query", "offset", 0, 0, 1<<31)),
		Kind:       kindParam(p),
		UnreadOnly: p.enum("unread", "false", "true", "false") == "true",
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	ctx, uid := c.Request.Context(), principalOf(c).User.ID
	items, total, err := s.cfg.Notify.List(ctx, uid, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	unread, err := s.cfg.Notify.UnreadCounts(ctx, uid)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "unread_count": unread.Total, "unread": unread})
}

// unreadNotifications is GET /api/notifications/unread: {"total", "by_kind"}.
func (s *Server) unreadNotifications(c *gin.Context) {
	u, err := s.cfg.Notify.UnreadCounts(c.Request.Context(), principalOf(c).User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, u)
}

// readNotification is POST /api/notifications/{id}/read.
func (s *Server) readNotification(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Notify.MarkRead(c.Request.Context(), principalOf(c).User.ID, id); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

// readAllNotifications is POST /api/notifications/read-all (?kind=).
func (s *Server) readAllNotifications(c *gin.Context) {
	p := newParams(c)
	kind := kindParam(p)
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	n, err := s.cfg.Notify.MarkAllRead(c.Request.Context(), principalOf(c).User.ID, kind)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "marked": n})
}

// notificationSettings is GET /api/notifications/settings.
func (s *Server) notificationSettings(c *gin.Context) {
	st, err := s.cfg.Notify.Settings(c.Request.Context(), principalOf(c).User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, st)
}

// setNotificationSettings is PUT (or POST) /api/notifications/settings
// {email_enabled}.
func (s *Server) setNotificationSettings(c *gin.Context) {
	var b struct {
		EmailEnabled *bool `json:"email_enabled"`
	}
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	if b.EmailEnabled == nil {
		s.fail(c, &catalog.Error{Code: catalog.EVALIDATION, Message: "email_enabled: field required",
			Fields: []catalog.FieldError{{Loc: []string{"body", "email_enabled"}, Msg: "field required", Type: "value_error.missing"}}})
		return
	}
	st, err := s.cfg.Notify.SetSettings(c.Request.Context(), principalOf(c).User.ID, notify.Settings{EmailEnabled: *b.EmailEnabled})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}
