package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/collectorstash/csm/catalog"
)

// MaxImageBytes is the documented upload limit per image.
const MaxImageBytes = 10 << 20

// MaxBulkImages bounds one bulk request; send more requests for more.
const MaxBulkImages = 100

// newScanID returns an id in the documented timestamp style, made unique.
func newScanID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102_150405") + "_" + hex.EncodeToString(b)
}

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

// storeScanImage writes an upload under the data dir and returns its path.
func (s *Server) storeScanImage(id string, data []byte) (string, error) {
	dir := filepath.Join(s.cfg.DataDir, "scans", id[:8])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("store scan: %w", err)
	}
	path := filepath.Join(dir, id+extOf(data))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", fmt.Errorf("store scan: %w", err)
	}
	return path, nil
}

func extOf(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG")):
		return ".png"
	case len(data) >= 12 && string(data[8:12]) == "WEBP":
		return ".webp"
	default:
		return ".jpg"
	}
}

// recognize enqueues one photo and waits (bounded) for its result.
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
	ctx := c.Request.Context()
	scan := catalog.Scan{ID: newScanID(s.cfg.Now()), UserID: principalOf(c).User.ID, TCGSlug: form.tcgSlug, Debug: form.debug}
	if scan.ImagePath, err = s.storeScanImage(scan.ID, form.images[0]); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Scans.CreateScan(ctx, scan); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.cfg.Queue.EnqueueScan(ctx, scan.ID); err != nil {
		s.fail(c, err)
		return
	}
	done, err := s.waitScan(ctx, scan.ID, s.cfg.RecognizeWait)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeScan(c, done)
}

// waitScan polls the store, woken by the queue's notifications, until the
// scan finishes or the wait ends; it returns the scan as it then stands.
func (s *Server) waitScan(ctx context.Context, id string, wait time.Duration) (catalog.Scan, error) {
	if wait <= 0 {
		wait = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		sc, err := s.cfg.Scans.Scan(context.WithoutCancel(ctx), id)
		if err != nil || sc.Status == "done" || sc.Status == "failed" {
			return sc, err
		}
		if err := s.cfg.Queue.WaitScan(ctx, id); err != nil {
			return sc, nil // timed out: report it as still queued
		}
	}
}

// writeScan answers with the result, the failure, or 202 while queued.
func (s *Server) writeScan(c *gin.Context, sc catalog.Scan) {
	switch sc.Status {
	case "done":
		sc.Result.ScanID = sc.ID
		c.JSON(http.StatusOK, sc.Result)
	case "failed":
		s.fail(c, &catalog.Error{Code: sc.ErrorCode, Message: sc.Error})
	default:
		c.JSON(http.StatusAccepted, gin.H{"scan_id": sc.ID, "status": sc.Status,
			"status_url": "/api/cards/recognize/" + sc.ID})
	}
}

// scanStatus reports a scan by id (polling); only its owner may read it.
func (s *Server) scanStatus(c *gin.Context) {
	sc, err := s.cfg.Scans.Scan(c.Request.Context(), c.Param("scan_id"))
	if err == nil {
		err = s.ownsScan(c, sc.UserID)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeScan(c, sc)
}

// ownsScan allows the scan's owner (and admins); scans made anonymously on a
// server without accounts have owner 0 and are readable by id alone.
func (s *Server) ownsScan(c *gin.Context, owner int64) error {
	if s.cfg.Accounts == nil || owner == 0 {
		return nil
	}
	p := principalOf(c)
	if p.User.ID == owner || p.User.IsAdmin {
		return nil
	}
	if p.User.ID == 0 {
		return catalog.Errorf(catalog.EUNAUTHORIZED, "Not authenticated")
	}
	return catalog.Errorf(catalog.EFORBIDDEN, "Not the owner of this scan")
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

// feedback stores the confirmed card of a scan for retraining: the photo is
// copied to static/confirmed_scans/{tcg}/{card_id}/. It consumes no quota
// and accepts any catalogue card, candidate or not.
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
	ctx := c.Request.Context()
	sc, err := s.cfg.Scans.Scan(ctx, body.ScanID)
	if err == nil {
		err = s.ownsScan(c, sc.UserID)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	game, err := s.cfg.Scans.CardGame(ctx, body.CardID)
	if err != nil {
		s.fail(c, err)
		return
	}
	rel := filepath.Join("confirmed_scans", game, strconv.FormatInt(body.CardID, 10), sc.ID+filepath.Ext(sc.ImagePath))
	dst := filepath.Join(s.cfg.DataDir, "static", rel)
	if err := copyFile(sc.ImagePath, dst); err != nil {
		s.fail(c, &catalog.Error{Code: catalog.EINTERNAL, Message: "Could not store the confirmed scan", Err: err})
		return
	}
	if err := s.cfg.Scans.AddFeedback(ctx, sc.ID, body.CardID, dst); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"scan_id": sc.ID, "card_id": body.CardID, "image_url": "/static/" + filepath.ToSlash(rel)})
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
