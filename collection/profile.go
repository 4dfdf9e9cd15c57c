package collection

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // avatar uploads
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // avatar uploads

	"github.com/collectorstash/csm/catalog"
)

// PublicUser is what the profile needs of an account.
type PublicUser struct {
	ID                 int64
	Username           string
	DisplayName        *string
	Country            *string
	IsSeller           bool
	CreatedAt          time.Time
	IsCollectionPublic bool
	AvatarURL          *string
}

// ProfileStore keeps the public side of accounts.
type ProfileStore interface {
	// ProfileUser finds an account by username (ENOTFOUND when unknown or
	// deleted).
	ProfileUser(ctx context.Context, username string) (PublicUser, error)
	SetCollectionPublic(ctx context.Context, userID int64, public bool) error
	SetAvatarURL(ctx context.Context, userID int64, url string) error
}

// ListingSummary is one of a seller's listings on the profile.
type ListingSummary struct {
	ID       int64   `json:"id"`
	CardID   int64   `json:"card_id"`
	CardName string  `json:"card_name"`
	Price    float64 `json:"price"`
	Currency string  `json:"currency"`
	URL      string  `json:"url"`
}

// SellerListings is the marketplace's "active listings of a user" (the
// market service implements it; nil shows none).
type SellerListings interface {
	ListingsOfUser(ctx context.Context, userID int64, limit int) ([]ListingSummary, error)
}

// WebPEncoder is the project's WebP encoder (catalog.PhotoEncoder):
// it stores a photo rotated +90° clockwise, as WebP.
type WebPEncoder = catalog.PhotoEncoder

// AvatarFiles stores encoded avatars and answers their public URL.
type AvatarFiles interface {
	SaveAvatar(ctx context.Context, userID int64, webp []byte) (url string, err error)
}

// ProfileOptions are the profile's collaborators.
type ProfileOptions struct {
	Encoder  WebPEncoder
	Files    AvatarFiles
	Listings SellerListings
}

// SetProfile sets the profile's collaborators (avatars need Encoder and
// Files; Listings may be nil).
func (s *Service) SetProfile(o ProfileOptions) { s.profile = o }

// Avatar limits: uploads up to 5 MB and 40 megapixels, stored 256×256.
const (
	MaxAvatarBytes  = 5 << 20
	MaxAvatarPixels = 40_000_000
	AvatarSide      = 256
)

// SetPrivacy sets whether the user's collection shows on the profile.
func (s *Service) SetPrivacy(ctx context.Context, userID int64, public bool) error {
	return s.store.SetCollectionPublic(ctx, userID, public)
}

// SetAvatar checks an upload (JPEG, PNG or WebP, ≤ 5 MB), crops its
// centre square, scales it to 256×256, stores it as WebP and returns its
// URL.
func (s *Service) SetAvatar(ctx context.Context, userID int64, data []byte) (string, error) {
	if s.profile.Encoder == nil || s.profile.Files == nil {
		return "", catalog.Errorf(catalog.EUNAVAILABLE, "Avatar uploads are not configured")
	}
	if len(data) > MaxAvatarBytes {
		return "", catalog.Errorf(catalog.ETOOLARGE, "Avatar larger than 5 MB")
	}
	square, err := AvatarImage(data)
	if err != nil {
		return "", err
	}
	// The encoder turns its input +90°: hand it the square turned back.
	var buf bytes.Buffer
	if err := png.Encode(&buf, rotateCCW(square)); err != nil {
		return "", fmt.Errorf("avatar: %w", err)
	}
	webp, err := s.profile.Encoder.EncodeScanPhoto(buf.Bytes())
	if err != nil {
		return "", fmt.Errorf("avatar: encode: %w", err)
	}
	url, err := s.profile.Files.SaveAvatar(ctx, userID, webp)
	if err != nil {
		return "", fmt.Errorf("avatar: save: %w", err)
	}
	if err := s.store.SetAvatarURL(ctx, userID, url); err != nil {
		return "", err
	}
	return url, nil
}

// AvatarImage decodes an upload and returns its centre square scaled to
// AvatarSide (415 for an unknown format, 400 for a broken file, 413 past
// MaxAvatarPixels).
func AvatarImage(data []byte) (*image.RGBA, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, catalog.Errorf(catalog.EUNSUPPORTED, "Avatar must be a JPEG, PNG or WebP image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxAvatarPixels {
		return nil, catalog.Errorf(catalog.ETOOLARGE, "Avatar image too large (at most 40 megapixels)")
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, catalog.Errorf(catalog.EINVALID, "Unreadable %s image", format)
	}
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	crop := image.Rect(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2, 0, 0)
	crop.Max = crop.Min.Add(image.Pt(side, side))
	dst := image.NewRGBA(image.Rect(0, 0, AvatarSide, AvatarSide))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src) // transparent → white
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Over, nil)
	return dst, nil
}

// rotateCCW turns a square image 90° counter-clockwise.
func rotateCCW(m *image.RGBA) *image.RGBA {
	n := m.Bounds().Dx()
	out := image.NewRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			out.SetRGBA(y, n-1-x, m.RGBAAt(x, y))
		}
	}
	return out
}

// DiskAvatars stores avatars as <Dir>/<user>-<random>.webp served at
// <URLPrefix>/<file>.
type DiskAvatars struct {
	Dir       string
	URLPrefix string
}

// SaveAvatar writes the file atomically and returns its URL.
func (d DiskAvatars) SaveAvatar(_ context.Context, userID int64, webp []byte) (string, error) {
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return "", err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := strconv.FormatInt(userID, 10) + "-" + hex.EncodeToString(b) + ".webp"
	tmp := filepath.Join(d.Dir, "."+name)
	if err := os.WriteFile(tmp, webp, 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, filepath.Join(d.Dir, name)); err != nil {
		return "", err
	}
	return d.URLPrefix + "/" + name, nil
}

// Profile is the public profile of /users/{username}. Collection,
// Portfolio and the TCG breakdown are present only when the owner made
// the collection public (or is the viewer).
type Profile struct {
	Username           string           `json:"username"`
	DisplayName        *string          `json:"display_name"`
	Country            *string          `json:"country"`
	AvatarURL          *string          `json:"avatar_url"`
	MemberSince        time.Time        `json:"member_since"`
	IsSeller           bool             `json:"is_seller"`
	IsCollectionPublic bool             `json:"is_collection_public"`
	Listings           []ListingSummary `json:"listings"`
	Collection         *ProfileShowcase `json:"collection,omitempty"`
}

// ProfileShowcase is the public part of a collection: the recently added
// grid, the top cards, the portfolio value and its TCG breakdown.
type ProfileShowcase struct {
	Recent     []Entry            `json:"recent"`
	TopCards   []Entry            `json:"top_cards"`
	Total      int                `json:"total"`
	TotalValue float64            `json:"total_value"`
	Currency   string             `json:"currency"`
	CardCount  int                `json:"card_count"`
	ByTCG      map[string]float64 `json:"by_tcg"`
}

// ProfileGrid is how many entries the profile shows per list.
const ProfileGrid = 24

// PublicProfile returns username's profile as viewerID (0: anonymous)
// sees it.
func (s *Service) PublicProfile(ctx context.Context, viewerID int64, username string) (Profile, error) {
	u, err := s.store.ProfileUser(ctx, username)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{Username: u.Username, DisplayName: u.DisplayName, Country: u.Country, AvatarURL: u.AvatarURL,
		MemberSince: u.CreatedAt.UTC(), IsSeller: u.IsSeller, IsCollectionPublic: u.IsCollectionPublic, Listings: []ListingSummary{}}
	if s.profile.Listings != nil {
		ls, err := s.profile.Listings.ListingsOfUser(ctx, u.ID, ProfileGrid)
		if err != nil {
			return Profile{}, fmt.Errorf("profile listings: %w", err)
		}
		if ls != nil {
			p.Listings = ls
		}
	}
	if !u.IsCollectionPublic && viewerID != u.ID {
		return p, nil
	}
	cur := DefaultValueCurrency
	recent, total, err := s.store.CollectionEntries(ctx, u.ID, ListQuery{Limit: ProfileGrid, Sort: SortAdded, Currency: cur})
	if err != nil {
		return Profile{}, err
	}
	top, _, err := s.store.CollectionEntries(ctx, u.ID, ListQuery{Limit: 6, Sort: SortValue, Currency: cur})
	if err != nil {
		return Profile{}, err
	}
	v, err := s.PortfolioValue(ctx, u.ID, cur)
	if err != nil {
		return Profile{}, err
	}
	p.Collection = &ProfileShowcase{Recent: recent, TopCards: top, Total: total, TotalValue: v.TotalValue,
		Currency: cur, CardCount: v.CardCount, ByTCG: v.ByTCG}
	return p, nil
}
