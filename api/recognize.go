package api

import (
	"encoding/base64"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/scanning"
)

// MaxImageBytes is the documented upload limit per image.
const MaxImageBytes = 10 << 20

// MaxBulkImages bounds one bulk request; send more requests for more.
const MaxBulkImages = 100

// readImagePart reads one multipart file part within the size limit and
// checks the format before anything is stored.
func (s *Server) readImagePart(p *multipart.Part) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(p, MaxImageBytes+1))
	if err != nil {
		return nil, catalog.Errorf(catalog.EINVALID, "Upload interrupted")
	}
	if len(data) > MaxImageBytes {
		return nil, catalog.Errorf(catalog.ETOOLARGE, "Image larger than 10 MB")
	}
	if len(data) == 0 {
		return nil, catalog.Errorf(catalog.EINVALID, "Image is empty")
	}
	if s.cfg.ValidateImage != nil {
		if err := s.cfg.ValidateImage(data); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// uploadForm is the multipart form of /recognize, /detect and /bulk.
type uploadForm struct {
	images  [][]byte
	tcgSlug string
	debug   bool
}

// readForm streams the multipart body: image fields (one, or up to max),
// tcg_slug and debug. Nothing is buffered beyond the per-image limit.
func (s *Server) readForm(c *gin.Context, max int) (uploadForm, error) {
	var f uploadForm
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, int64(max)*(MaxImageBytes+1<<20))
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return f, catalog.Validation([]string{"body", "image"}, "field required (multipart/form-data with an image file)", "value_error.missing")
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return f, catalog.Errorf(catalog.ETOOLARGE, "Request too large")
		}
		if err != nil {
			return f, catalog.Errorf(catalog.EINVALID, "Malformed multipart body")
		}
		switch p.FormName() {
		case "image", "images", "file":
			if len(f.images) >= max {
				return f, catalog.Errorf(catalog.EINVALID, "At most %d images per request", max)
			}
			data, err := s.readImagePart(p)
			if err != nil {
				return f, err
			}
			f.images = append(f.images, data)
		case "tcg_slug":
			v, _ := io.ReadAll(io.LimitReader(p, 101))
			f.tcgSlug = strings.TrimSpace(string(v))
			if len(f.tcgSlug) > 100 {
				return f, catalog.Validation([]string{"body", "tcg_slug"}, "ensure this value has at most 100 characters", "value_error.any_str.max_length")
			}
		case "debug":
			v, _ := io.ReadAll(io.LimitReader(p, 10))
			b, err := strconv.ParseBool(strings.TrimSpace(string(v)))
			if err != nil {
				return f, catalog.Validation([]string{"body", "debug"}, "value could not be parsed to a boolean", "type_error.bool")
			}
			f.debug = b
		default:
			_, _ = io.Copy(io.Discard, io.LimitReader(p, 1<<20))
		}
	}
	if len(f.images) == 0 {
		return f, catalog.Validation([]string{"body", "image"}, "field required", "value_error.missing")
	}
	return f, nil
}

// recognize stores one photo, queues it and waits (bounded) for its
// result: 200 with it, the failure's status, or 202 while still queued.
func (s *Server) recognize(c *gin.Context) {
	form, err := s.readForm(c, 1)
	if err != nil {
		s.fail(c, err)
		return
	}
	// the quota is spent only on an upload that passed the checks
	if err := s.spendRecognition(c, 1); err != nil {
		s.fail(c, err)
		return
	}
	sc, err := s.cfg.Scanning.Recognize(c.Request.Context(), principalOf(c),
		scanning.Upload{Image: form.images[0], TCGSlug: form.tcgSlug, Debug: form.debug})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeScan(c, sc)
}

// writeScan answers with the result, the failure, or 202 while queued.
func (s *Server) writeScan(c *gin.Context, sc catalog.Scan) {
	switch sc.Status {
	case catalog.ScanDone:
		c.JSON(http.StatusOK, sc.Result)
	case catalog.ScanFailed:
		s.fail(c, &catalog.Error{Code: sc.ErrorCode, Message: sc.Error})
	default:
		c.JSON(http.StatusAccepted, gin.H{"scan_id": sc.ID, "status": sc.Status,
			"status_url": "/api/cards/recognize/" + sc.ID})
	}
}

// scanStatus reports a scan by id (polling); only its owner may read it.
func (s *Server) scanStatus(c *gin.Context) {
	sc, err := s.cfg.Scanning.Scan(c.Request.Context(), principalOf(c), c.Param("scan_id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeScan(c, sc)
}

// detect is the cheap outline-only path for the camera UI.
func (s *Server) detect(c *gin.Context) {
	form, err := s.readForm(c, 1)
	if err != nil {
		s.fail(c, err)
		return
	}
	dets, overlay, err := s.cfg.Detect.DetectOverlay(c.Request.Context(), form.images[0])
	if err != nil {
		s.fail(c, err)
		return
	}
	hint := "ok"
	largest := 0.0
	for _, d := range dets {
		largest = max(largest, d.AreaFraction)
	}
	switch {
	case len(dets) == 0:
		hint = "no_card"
	case largest < 0.15:
		hint = "move_closer"
	}
	if dets == nil {
		dets = []catalog.Detection{}
	}
	c.JSON(http.StatusOK, gin.H{"count": len(dets), "cards": dets, "hint": hint,
		"overlay": "data:image/png;base64," + base64.StdEncoding.EncodeToString(overlay)})
}

// feedbackBody is POST /api/cards/recognize/feedback (JSON or form).
type feedbackBody struct {
	ScanID string `json:"scan_id" form:"scan_id"`
	CardID int64  `json:"card_id" form:"card_id"`
}

// feedback stores the confirmed card of a scan for retraining (the photo is
// kept private in the photo store; image_url is a signed URL). It consumes
// no quota and accepts any catalogue card, candidate or not.
func (s *Server) feedback(c *gin.Context) {
	var body feedbackBody
	if err := c.ShouldBind(&body); err != nil {
		s.fail(c, catalog.Validation([]string{"body"}, "scan_id (string) and card_id (integer) required", "type_error"))
		return
	}
	p := newParams(c)
	if body.ScanID == "" {
		p.add("body", "scan_id", "field required", "value_error.missing")
	}
	if body.CardID <= 0 {
		p.add("body", "card_id", "field required", "value_error.missing")
	}
	if err := p.err(); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.cfg.Scanning.Feedback(c.Request.Context(), principalOf(c), body.ScanID, body.CardID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}
