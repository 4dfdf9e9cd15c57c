package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// accountRoutes mounts the seed's "Auth — login & register", "Account &
// password" and "API keys" sections, and the admin tier switch.
func (s *Server) accountRoutes(r *gin.Engine) {
	auth := r.Group("/auth")
	auth.POST("/register", s.register)
	auth.POST("/login", s.login)
	auth.POST("/logout", s.logout)
	auth.GET("/me", s.require(catalog.AccessAuth), s.me)
	auth.PATCH("/me", s.require(catalog.AccessAuth), s.updateMe)

	acct := r.Group("/api/account", s.require(catalog.AccessAuth))
	acct.POST("/password", s.changePassword)
	acct.POST("/delete", s.deleteAccount)
	acct.POST("/delete/cancel", s.cancelDeletion)

	keys := r.Group("/api/keys", s.require(catalog.AccessAuth))
	keys.GET("", s.listKeys)
	keys.POST("", s.createKey)
	keys.PATCH("/:id", s.renameKey)
	keys.DELETE("/:id", s.revokeKey)

	r.PUT("/api/admin/users/:username/tier", s.require(catalog.AccessAdmin), s.setTier)
}

// registerBody is POST /auth/register.
type registerBody struct {
	Username    string  `json:"username"`
	Email       string  `json:"email"`
	Password    string  `json:"password"`
	DisplayName *string `json:"display_name"`
	Country     *string `json:"country"`
}

// register creates a free account and signs it in: 201 {"ok", "user_id",
// "username"} + Set-Cookie tcg_session.
func (s *Server) register(c *gin.Context) {
	var b registerBody
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	if strings.TrimSpace(b.Username) == "" || strings.TrimSpace(b.Email) == "" || b.Password == "" {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "username, email, and password required"))
		return
	}
	v := newParams(c)
	username, ok := catalog.NormalizeUsername(b.Username)
	if !ok {
		v.add("body", "username", "username must be 3-30 characters: letters, digits, '-', '_' or '.'", "value_error.str.regex")
	}
	if msg := catalog.CheckPassword(b.Password); msg != "" {
		v.add("body", "password", msg, "value_error.any_str.min_length")
	}
	profile := s.checkProfile(v, b.DisplayName, b.Country)
	if err := v.err(); err != nil {
		s.fail(c, err)
		return
	}
	email, ok := catalog.NormalizeEmail(b.Email)
	if !ok {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "invalid email"))
		return
	}
	u, err := s.cfg.Accounts.CreateUser(c.Request.Context(), catalog.NewUser{Username: username, Email: email,
		PasswordHash: catalog.HashPassword(b.Password), DisplayName: profile.DisplayName, Country: profile.Country,
		Tier: catalog.TierFree, CreatedAt: s.cfg.Now()})
	if catalog.ErrorCode(err) == catalog.ECONFLICT {
		// the seed answers duplicates with 400
		s.fail(c, catalog.Errorf(catalog.EINVALID, "%s", catalog.ErrorMessage(err)))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.startSession(c, u); err != nil {
		s.fail(c, err)
		return
	}
	if s.cfg.AccountMail != nil {
		if err := s.cfg.AccountMail.SendVerification(c.Request.Context(), u.ID); err != nil {
			s.cfg.Log.ErrorContext(c.Request.Context(), "register: verification mail", "err", err)
		}
	}
	c.JSON(http.StatusCreated, gin.H{"ok": true, "user_id": u.ID, "username": u.Username})
}

// checkProfile validates optional profile fields into v; "" clears a field.
func (s *Server) checkProfile(v *params, displayName, country *string) catalog.Profile {
	var p catalog.Profile
	if displayName != nil {
		d := strings.TrimSpace(*displayName)
		if len([]rune(d)) > 60 {
			v.add("body", "display_name", "ensure this value has at most 60 characters", "value_error.any_str.max_length")
		}
		p.DisplayName = &d
	}
	if country != nil {
		cc := strings.TrimSpace(*country)
		if cc != "" {
			var ok bool
			if cc, ok = catalog.NormalizeCountry(cc); !ok {
				v.add("body", "country", "country must be an ISO 3166-1 alpha-2 code", "value_error.str.regex")
			}
		}
		p.Country = &cc
	}
	return p
}

// loginBody is POST /auth/login: username may be the e-mail.
type loginBody struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// login checks the password and starts a session: 200 {"ok", "user_id",
// "username"} + Set-Cookie; 401 for any wrong name or password alike.
func (s *Server) login(c *gin.Context) {
	var b loginBody
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	login := strings.TrimSpace(b.Username)
	if login == "" {
		login = strings.TrimSpace(b.Email)
	}
	if login == "" || b.Password == "" {
		s.fail(c, catalog.Errorf(catalog.EINVALID, "username and password required"))
		return
	}
	wrong := catalog.Errorf(catalog.EUNAUTHORIZED, "Invalid username or password")
	if len(b.Password) > catalog.MaxPasswordBytes || len(login) > 254 {
		s.fail(c, wrong)
		return
	}
	u, err := s.cfg.Accounts.UserByLogin(c.Request.Context(), login)
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		catalog.BurnPasswordCheck(b.Password) // answer as slowly as for a wrong password
		s.fail(c, wrong)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if !catalog.VerifyPassword(u.PasswordHash, b.Password) || u.Deleted(s.cfg.Now()) {
		s.fail(c, wrong)
		return
	}
	if p := principalOf(c); p.Method == catalog.AuthSession { // signing in again replaces the browser's session
		if err := s.cfg.Accounts.DeleteSession(c.Request.Context(), p.SessionHash); err != nil {
			s.fail(c, err)
			return
		}
	}
	if err := s.startSession(c, u); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "user_id": u.ID, "username": u.Username})
}

// logout ends the cookie's session and clears the cookie; 200 even when
// there was none.
func (s *Server) logout(c *gin.Context) {
	if p := principalOf(c); p.Method == catalog.AuthSession {
		if err := s.cfg.Accounts.DeleteSession(c.Request.Context(), p.SessionHash); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.setSessionCookie(c, "", -1)
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

// me is the signed-in account (as read for this request).
func (s *Server) me(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, principalOf(c).User)
}

// profileBody is PATCH /auth/me.
type profileBody struct {
	DisplayName *string `json:"display_name"`
	Country     *string `json:"country"`
}

// updateMe sets display_name and/or country (ISO-2; "" clears).
func (s *Server) updateMe(c *gin.Context) {
	var b profileBody
	if err := readJSON(c, &b); err != nil {
		s.fail(c, err)
		return
	}
	v := newParams(c)
	p := s.checkProfile(v, b.DisplayName, b.Country)
	if err := v.err(); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.cfg.Accounts.UpdateProfile(c.Request.Context(), principalOf(c).User.ID, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

// initAccounts prepares the session secret and the origin allow-list used
// by the cross-site check (Config.validate has checked the secret).
func (s *Server) initAccounts() {
	s.origins = map[string]struct{}{}
	for _, o := range append(append([]string{}, DefaultOrigins...), s.cfg.ExtraOrigins...) {
		s.origins[o] = struct{}{}
	}
	if s.cfg.OpenRecognition {
		s.cfg.Log.Warn("recognition served without access control (Config.OpenRecognition)")
	}
	s.secret = s.cfg.SessionSecret
}

// accessMiddleware resolves callers (with accounts) and applies the rate
// limits (with a limiter).
func (s *Server) accessMiddleware() []gin.HandlerFunc {
	var hs []gin.HandlerFunc
	if s.cfg.Accounts != nil {
		hs = append(hs, s.authenticate())
	}
	if s.cfg.Limiter != nil {
		hs = append(hs, s.rateLimit())
	}
	return hs
}
