package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// passwordBody is POST /api/account/password.
type passwordBody struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword checks the current password, stores the new one and ends
// every session of the account; a cookie caller gets a fresh session so
// only the other browsers are signed out.
func (s *Server) changePassword(c *gin.Context) {
	var b passwordBody
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	if b.CurrentPassword == "" || b.NewPassword == "" {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "current_password and new_password required"))
		return
	}
	if msg := catalog.CheckPassword(b.NewPassword); msg != "" {
		s.fail(c, catalog.Validation([]string{"body", "new_password"}, msg, "value_error.any_str.min_length"))
		return
	}
	p := principalOf(c)
	ctx := c.Request.Context()
	u, err := s.cfg.Accounts.User(ctx, p.User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(b.CurrentPassword) > catalog.MaxPasswordBytes || !catalog.VerifyPassword(u.PasswordHash, b.CurrentPassword) {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "current password is incorrect"))
		return
	}
	if err := s.cfg.Accounts.SetPassword(ctx, u.ID, catalog.HashPassword(b.NewPassword)); err != nil {
		s.fail(c, err)
		return
	}
	if p.Method == catalog.AuthSession {
		if err := s.startSession(c, u); err != nil {
			s.fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

// confirmBody is POST /api/account/delete.
type confirmBody struct {
	Confirm string `json:"confirm"`
}

// deleteAccount flags the account for deletion in DeletionGrace (24 h)
// when confirm is "DELETE <username>"; asking again keeps the first time.
func (s *Server) deleteAccount(c *gin.Context) {
	var b confirmBody
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	p := principalOf(c)
	if !catalog.ConfirmsDeletion(b.Confirm, p.User.Username) {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "confirm must equal %q", catalog.DeleteConfirmation(p.User.Username)))
		return
	}
	at := p.User.DeleteAfter
	if at == nil {
		t := s.cfg.Now().Add(catalog.DeletionGrace).UTC()
		u, err := s.cfg.Accounts.ScheduleDeletion(c.Request.Context(), p.User.ID, &t)
		if err != nil {
			s.fail(c, err)
			return
		}
		at = u.DeleteAfter
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "deletion_scheduled_at": at,
		"detail": "The account is flagged for deletion; you have 24h to cancel."})
}

// cancelDeletion removes the deletion flag (200 also when there was none).
func (s *Server) cancelDeletion(c *gin.Context) {
	if _, err := s.cfg.Accounts.ScheduleDeletion(c.Request.Context(), principalOf(c).User.ID, nil); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "deletion_scheduled_at": nil})
}

// tierBody is PUT /api/admin/users/{username}/tier.
type tierBody struct {
	Tier string `json:"tier"`
}

// setTier is the admin's tier switch (upgrades and downgrades take effect
// on the account's next request, keys included).
func (s *Server) setTier(c *gin.Context) {
	var b tierBody
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	t, ok := catalog.ParseTier(b.Tier)
	if !ok {
		s.fail(c, tierError("tier"))
		return
	}
	u, err := s.cfg.Accounts.SetTier(c.Request.Context(), c.Param("username"), t)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cfg.Log.InfoContext(c.Request.Context(), "tier changed", "user_id", u.ID, "tier", u.Tier, "by", principalOf(c).User.ID)
	c.JSON(http.StatusOK, u)
}

func tierError(field string) error {
	return catalog.Validation([]string{"body", field}, "value is not a valid enumeration member; permitted: "+quoteAll(catalog.TierNames()),
		"type_error.enum")
}

func quoteAll(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += "'" + s + "'"
	}
	return out
}
