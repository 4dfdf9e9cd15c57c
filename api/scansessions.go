package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/scanning"
)

// Scan sessions (the seed's "Scan sessions (cross-device)"):
//
//	POST /api/scan-sessions                  owner (cookie or API key) → 201
//	GET  /api/scan-sessions/:id              owner or claim token; 200 with status "expired" once ended
//	GET  /api/scan-sessions/:id/sse          owner only; claimed, photo, result, completed
//	POST /api/scan-sessions/:id/claim        token; once → 409 after
//	POST /api/scan-sessions/:id/upload-photo token; multipart image
//	POST /api/scan-sessions/:id/results      token; JSON {"cards": [...]}
//	POST /api/scan-sessions/:id/complete     token
//	GET  /api/scan-sessions/:id/qr.png?t=…   the claim token in the URL is the credential
//
// The claim token travels in ?token= (or ?t=) or the X-Scan-Token header.
// An ended session answers 410 Gone on every route but the status route
// (which reports "expired"), until the hourly purge deletes it: 404 after.
func (s *Server) scanSessionRoutes(r *gin.Engine) {
	g := r.Group("/api/scan-sessions")
	g.POST("", s.require(catalog.AccessAuth), s.createScanSession)
	g.GET("/:id", s.scanSessionStatus)
	g.GET("/:id/sse", s.scanSessionEvents)
	g.GET("/:id/qr.png", s.scanSessionQR)
	g.POST("/:id/claim", s.claimScanSession)
	g.POST("/:id/upload-photo", s.uploadScanPhoto)
	g.POST("/:id/results", s.postScanResults)
	g.POST("/:id/complete", s.completeScanSession)
}

// maxResultsBody bounds POST …/results (recognition objects included).
const maxResultsBody = 2 << 20

// scanSessionView is the documented creation response.
type scanSessionView struct {
	SessionID        string    `json:"session_id"`
	ClaimToken       string    `json:"claim_token"`
	ConfirmationCode string    `json:"confirmation_code"`
	QRURL            string    `json:"qr_url"`
	Deeplink         string    `json:"deeplink"`
	ExpiresAt        time.Time `json:"expires_at"`
}

// publicURL is the base of deeplinks (CSM_PUBLIC_URL).
func (s *Server) publicURL() string {
	if s.cfg.PublicURL == "" {
		return "http://localhost:8000"
	}
	return strings.TrimRight(s.cfg.PublicURL, "/")
}

func (s *Server) deeplink(id, token string) string {
	return s.publicURL() + "/scan-pwa?session=" + url.QueryEscape(id) + "&t=" + url.QueryEscape(token)
}

// createScanSession starts a session for the caller: 201 with the claim
// token, which is returned once and stored only as a hash.
func (s *Server) createScanSession(c *gin.Context) {
	n, err := s.cfg.Scanning.CreateSession(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, scanSessionView{
		SessionID: n.Session.ID, ClaimToken: n.Token, ConfirmationCode: n.Session.ConfirmationCode,
		QRURL:    "/api/scan-sessions/" + n.Session.ID + "/qr.png?t=" + url.QueryEscape(n.Token),
		Deeplink: s.deeplink(n.Session.ID, n.Token), ExpiresAt: n.Session.ExpiresAt,
	})
}

// scanCaller is the caller of a scan-session route: the principal and the
// claim token presented in ?token= (or ?t=) or the X-Scan-Token header.
func scanCaller(c *gin.Context) scanning.Caller {
	t := c.Query("token")
	if t == "" {
		t = c.Query("t")
	}
	if t == "" {
		t = c.GetHeader("X-Scan-Token")
	}
	return scanning.Caller{Principal: principalOf(c), Token: t}
}

// scanSessionStatus is the polling view, for the owner or the token.
func (s *Server) scanSessionStatus(c *gin.Context) {
	v, err := s.cfg.Scanning.Session(c.Request.Context(), scanCaller(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

// scanSessionQR renders the deeplink as a 256×256 PNG. The token in the URL
// is the credential: the server keeps only its hash, so it cannot render the
// QR code without it.
func (s *Server) scanSessionQR(c *gin.Context) {
	who := scanCaller(c)
	sess, err := s.cfg.Scanning.SessionForToken(c.Request.Context(), who, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	png, err := qrcode.Encode(s.deeplink(sess.ID, who.Token), qrcode.Medium, 256)
	if err != nil {
		s.fail(c, &catalog.Error{Code: catalog.EINTERNAL, Message: "QR code could not be rendered", Err: err})
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Data(http.StatusOK, "image/png", png)
}

// claimBody is POST …/claim (device_name may also be a form field or a
// query parameter).
type claimBody struct {
	DeviceName string `json:"device_name"`
}

// claimScanSession binds the phone: once per session.
func (s *Server) claimScanSession(c *gin.Context) {
	device := func() (string, error) {
		var b claimBody
		if strings.HasPrefix(c.ContentType(), "application/json") {
			if err := readJSON(c, &b); err != nil {
				return "", err
			}
		} else if v := c.PostForm("device_name"); v != "" {
			b.DeviceName = v
		}
		if b.DeviceName == "" {
			b.DeviceName = c.Query("device_name")
		}
		return b.DeviceName, nil
	}
	sess, err := s.cfg.Scanning.Claim(c.Request.Context(), scanCaller(c), c.Param("id"), device)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "session_id": sess.ID, "status": sess.Status,
		"device_name": sess.DeviceName, "confirmation_code": sess.ConfirmationCode})
}

// uploadScanPhoto stores one photo: validated like /recognize, rotated +90°
// clockwise, EXIF dropped, kept private as WebP (image_url is signed).
func (s *Server) uploadScanPhoto(c *gin.Context) {
	image := func() ([]byte, error) {
		form, err := s.readForm(c, 1)
		if err != nil {
			return nil, err
		}
		return form.images[0], nil
	}
	ph, err := s.cfg.Scanning.UploadPhoto(c.Request.Context(), scanCaller(c), c.Param("id"), image)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "card_index": ph.CardIndex, "image_url": ph.ImageURL, "size": ph.Size})
}

// postScanResults stores a batch of cards; the answer waits (bounded) for
// the recognitions it queued.
func (s *Server) postScanResults(c *gin.Context) {
	read := func() ([]scanning.ResultCard, error) {
		raw, err := io.ReadAll(io.LimitReader(c.Request.Body, maxResultsBody+1))
		if err != nil {
			return nil, catalog.Errorf(catalog.EINVALID, "Invalid JSON body")
		}
		if len(raw) > maxResultsBody {
			return nil, catalog.Errorf(catalog.ETOOLARGE, "Request body too large")
		}
		var body struct {
			Cards []scanning.ResultCard `json:"cards"`
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, catalog.Errorf(catalog.EINVALID, "Invalid JSON body")
		}
		return body.Cards, nil
	}
	id := c.Param("id")
	cards, err := s.cfg.Scanning.PostResults(c.Request.Context(), scanCaller(c), id, read)
	if err != nil {
		if c.Request.Context().Err() == nil {
			s.fail(c, err)
		}
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "session_id": id, "cards": cards})
}

// completeScanSession closes the session: no uploads after it.
func (s *Server) completeScanSession(c *gin.Context) {
	id := c.Param("id")
	n, err := s.cfg.Scanning.Complete(c.Request.Context(), scanCaller(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "session_id": id, "status": catalog.ScanSessionCompleted, "count": n})
}
