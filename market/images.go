package market

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/collectorstash/csm/catalog"
)

// ImageUpload is the answer of POST /api/upload/listing-image.
type ImageUpload struct {
	URL  string `json:"url"`
	Size int    `json:"size"`
	// Watermark is the verification code drawn on the photo ("" none).
	Watermark string `json:"watermark,omitempty"`
}

// ListingImagesDir is where listing images live under the static tree.
const ListingImagesDir = "listing_images"

// UploadImage stores a listing photo as WebP (EXIF dropped). With
// listingID != 0 (the caller's listing) the listing's verification code is
// watermarked visibly on it and the URL is added to the listing's images.
func (s *Service) UploadImage(ctx context.Context, userID, listingID int64, data []byte) (ImageUpload, error) {
	if len(data) == 0 {
		return ImageUpload{}, catalog.Validation([]string{"body", "file"}, "field required", "value_error.missing")
	}
	if len(data) > MaxImageBytes {
		return ImageUpload{}, catalog.Errorf(catalog.ETOOLARGE, "Image larger than 8 MB")
	}
	if s.cfg.Images == nil || s.cfg.Files == nil {
		return ImageUpload{}, catalog.Errorf(catalog.EUNAVAILABLE, "Image uploads are not configured")
	}
	var l Listing
	watermark := ""
	if listingID != 0 {
		var err error
		if l, err = s.owned(ctx, userID, listingID); err != nil {
			return ImageUpload{}, fmt.Errorf("upload image: %w", err)
		}
		if l.Status != ListingActive && l.Status != ListingDraft {
			return ImageUpload{}, catalog.Errorf(catalog.ECONFLICT, "Listing is %s", l.Status)
		}
		if len(l.ImageURLs) >= MaxImageURLs {
			return ImageUpload{}, catalog.Errorf(catalog.ECONFLICT, "A listing holds at most %d images", MaxImageURLs)
		}
		watermark = "CSM " + l.VerificationCode
	}
	webp, err := s.cfg.Images.EncodeListingImage(data, watermark)
	if err != nil {
		return ImageUpload{}, fmt.Errorf("upload image: %w", err)
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return ImageUpload{}, fmt.Errorf("upload image: %w", err)
	}
	rel := ListingImagesDir + "/" + s.now().Format("2006/01") + "/" + hex.EncodeToString(b) + ".webp"
	if err := s.cfg.Files.Save(ctx, rel, webp); err != nil {
		return ImageUpload{}, fmt.Errorf("upload image: %w", err)
	}
	out := ImageUpload{URL: "/static/" + rel, Size: len(webp)}
	if listingID != 0 {
		urls := append(append([]string{}, l.ImageURLs...), out.URL)
		if _, err := s.cfg.Store.UpdateListing(ctx, listingID, userID, ListingPatch{ImageURLs: &urls}, s.now()); err != nil {
			return ImageUpload{}, fmt.Errorf("upload image: %w", err)
		}
		out.Watermark = l.VerificationCode
	}
	return out, nil
}

// DirFiles stores files under a directory (the static tree).
type DirFiles struct{ Root string }

// Save writes data at Root/rel atomically (temporary file + rename).
func (d DirFiles) Save(_ context.Context, rel string, data []byte) error {
	if strings.Contains(rel, "..") || filepath.IsAbs(rel) {
		return fmt.Errorf("save %q: bad path", rel)
	}
	p := filepath.Join(d.Root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("save: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return os.Rename(tmp.Name(), p)
}

// Verification is the public answer of a code lookup.
type Verification struct {
	Valid            bool          `json:"valid"`
	Code             string        `json:"code"`
	Status           string        `json:"status,omitempty"`
	CardName         string        `json:"card_name,omitempty"`
	SetName          string        `json:"set_name,omitempty"`
	Condition        Condition     `json:"condition,omitempty"`
	SellerUsername   string        `json:"seller_username,omitempty"`
	WatermarkEnabled *bool         `json:"watermark_enabled,omitempty"`
	CreatedAt        *string       `json:"created_at,omitempty"`
	ListingURL       string        `json:"listing_url,omitempty"`
	ListingID        int64         `json:"listing_id,omitempty"`
	ListingStatus    ListingStatus `json:"listing_status,omitempty"`
	ImageURL         string        `json:"image_url,omitempty"`
}

// Verification statuses: the protection is active while the listing is
// up, expired once it is sold, withdrawn or past its expiry.
const (
	VerifyActive  = "active"
	VerifyExpired = "expired"
)

// Verify looks a verification code up (case-insensitive, public). An
// unknown or malformed code is {"valid": false}.
func (s *Service) Verify(ctx context.Context, code string) (Verification, error) {
	c, ok := NormalizeCode(code)
	if !ok {
		if len(c) > 16 {
			c = c[:16]
		}
		return Verification{Valid: false, Code: c}, nil
	}
	l, err := s.cfg.Store.ListingByCode(ctx, c)
	if catalog.ErrorCode(err) == catalog.ENOTFOUND || (err == nil && l.Status == ListingDraft) {
		return Verification{Valid: false, Code: c}, nil
	}
	if err != nil {
		return Verification{}, fmt.Errorf("verify: %w", err)
	}
	l = l.Shown(s.now())
	status := VerifyExpired
	if l.Status == ListingActive {
		status = VerifyActive
	}
	created := l.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")
	wm := l.ImageProtection
	v := Verification{Valid: true, Code: c, Status: status, CardName: l.CardName, SetName: l.SetName, Condition: l.Condition,
		SellerUsername: l.SellerUsername, WatermarkEnabled: &wm, CreatedAt: &created,
		ListingURL: fmt.Sprintf("/listings/%d", l.ID), ListingID: l.ID, ListingStatus: l.Status}
	if len(l.ImageURLs) > 0 {
		v.ImageURL = l.ImageURLs[0]
	}
	return v, nil
}
