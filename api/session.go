package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	"github.com/collectorstash/csm/catalog"
)

// SessionCookie is the browser session cookie of the seed.
const SessionCookie = "tcg_session"

// sessionClaims is the signed content of tcg_session: the user (sub) and a
// random session id (jti) whose hash the database keeps. Logging out or
// changing the password deletes the session row, so a cookie stops working
// at once although its signature and expiry are still good.
type sessionClaims struct {
	jwt.RegisteredClaims
}

// newSessionToken signs a session cookie for user uid; it returns the token
// and the hash of its session id for the store.
func (s *Server) newSessionToken(uid int64, now time.Time) (token string, idHash []byte, err error) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	sid := base64.RawURLEncoding.EncodeToString(raw)
	claims := sessionClaims{jwt.RegisteredClaims{
		Subject:   strconv.FormatInt(uid, 10),
		ID:        sid,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(catalog.SessionTTL)),
	}}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.secret)
	if err != nil {
		return "", nil, err
	}
	return token, hashSessionID(sid), nil
}

func hashSessionID(sid string) []byte {
	h := sha256.Sum256([]byte(sid))
	return h[:]
}

// parseSessionToken checks the signature (HS256 only), the expiry on the
// server's clock and the shape of the claims; it returns the user id and
// the session id's hash.
func (s *Server) parseSessionToken(token string) (uid int64, idHash []byte, err error) {
	if len(token) > 4096 {
		return 0, nil, errors.New("session: token too long")
	}
	var claims sessionClaims
	_, err = jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithTimeFunc(s.cfg.Now))
	if err != nil {
		return 0, nil, err
	}
	uid, err = strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || uid <= 0 || len(claims.ID) < 16 {
		return 0, nil, errors.New("session: bad claims")
	}
	return uid, hashSessionID(claims.ID), nil
}

// startSession stores a new session for u and sets its cookie.
func (s *Server) startSession(c *gin.Context, u catalog.User) error {
	now := s.cfg.Now()
	token, idHash, err := s.newSessionToken(u.ID, now)
	if err != nil {
		return err
	}
	if err := s.cfg.Accounts.CreateSession(c.Request.Context(), catalog.Session{IDHash: idHash, UserID: u.ID,
		CreatedAt: now, ExpiresAt: now.Add(catalog.SessionTTL)}); err != nil {
		return err
	}
	s.setSessionCookie(c, token, int(catalog.SessionTTL/time.Second))
	return nil
}

// setSessionCookie writes tcg_session: HttpOnly, SameSite=Lax, Secure when
// the request came over TLS; maxAge < 0 deletes it.
func (s *Server) setSessionCookie(c *gin.Context, token string, maxAge int) {
	ck := &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: overTLS(c.Request)}
	if maxAge > 0 {
		ck.Expires = s.cfg.Now().Add(time.Duration(maxAge) * time.Second).UTC()
	}
	http.SetCookie(c.Writer, ck)
	c.Header("Cache-Control", "no-store")
}

// overTLS reports whether the client reached us over HTTPS: directly, or
// through a proxy that says so in X-Forwarded-Proto (it only decides the
// cookie's Secure flag, so a spoofed header gains nothing).
func overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
