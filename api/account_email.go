package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// forgotAnswer is POST /auth/password/forgot's one answer, whether or not
// the address belongs to an account.
const forgotAnswer = "If an account exists for that address, a password reset link has been sent."

// accountEmailRoutes mounts password reset by e-mail and e-mail
// verification.
func (s *Server) accountEmailRoutes(r *gin.Engine) {
	r.POST("/auth/password/forgot", s.forgotPassword)
	r.POST("/auth/password/reset", s.resetPassword)
	r.GET("/auth/verify-email", s.verifyEmail)
	r.POST("/auth/verify-email/resend", s.require(catalog.AccessAuth), s.resendVerification)
	if s.cfg.Pages != nil {
		r.GET("/forgot-password", func(c *gin.Context) { s.page(c, "forgot-password", PageData{}) })
		r.GET("/reset-password", func(c *gin.Context) {
			s.page(c, "reset-password", PageData{Token: c.Query("token")})
		})
	}
}

func (s *Server) forgotPassword(c *gin.Context) {
	var b struct {
		Email string `json:"email"`
	}
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	if strings.TrimSpace(b.Email) == "" {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "email required"))
		return
	}
	if err := s.cfg.AccountMail.ForgotPassword(c.Request.Context(), b.Email); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "message": forgotAnswer})
}

func (s *Server) resetPassword(c *gin.Context) {
	var b struct {
		Token       string `json:"token"`
		NewPassword string `json:"new_password"`
	}
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	if b.Token == "" || b.NewPassword == "" {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "token and new_password required"))
		return
	}
	if err := s.cfg.AccountMail.ResetPassword(c.Request.Context(), b.Token, b.NewPassword); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "message": "Password changed; sign in with the new password."})
}

// verifyEmail is the e-mailed link: JSON, or a page for a browser (200
// either way for a browser; 400 JSON for a bad token otherwise).
func (s *Server) verifyEmail(c *gin.Context) {
	tok := c.Query("token")
	if tok == "" {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "token required"))
		return
	}
	err := s.cfg.AccountMail.VerifyEmail(c.Request.Context(), tok)
	if s.cfg.Pages != nil && wantsHTML(c) && (err == nil || catalog.ErrorCode(err) == catalog.EINVALID) {
		// the e-mailed link opened in a browser: a page either way
		data := PageData{}
		if err != nil {
			data.Message = catalog.ErrorMessage(err)
		}
		s.page(c, "verify-email", data)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "message": "E-mail address verified"})
}

func (s *Server) resendVerification(c *gin.Context) {
	if err := s.cfg.AccountMail.SendVerification(c.Request.Context(), principalOf(c).User.ID); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "message": "Verification e-mail sent"})
}
