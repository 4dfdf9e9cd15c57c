package api_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/recognizer/scanphoto"
)

// fakeListings stands in for the marketplace's listings of a user.
type fakeListings struct{}

func (fakeListings) ListingsOfUser(_ context.Context, userID int64, _ int) ([]collection.ListingSummary, error) {
	return []collection.ListingSummary{{ID: 901, CardID: charizardID, CardName: "Charizard", Price: 11, Currency: "EUR", URL: "/listings/901"}}, nil
}

func TestProfileAndPrivacy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := setupAccounts(t, acctOptions{noLimiter: true, configure: func(f *acct, cfg *api.Config) {
		db := f.db
		_, err := demo.Load(t.Context(), db, db, demo.Options{Today: acctStart, Days: 2})
		require.NoError(t, err)
		svc := collection.NewService(db, cfg.Now)
		svc.SetProfile(collection.ProfileOptions{Encoder: scanphoto.Encoder{}, Listings: fakeListings{},
			Files: collection.DiskAvatars{Dir: filepath.Join(dir, "avatars"), URLPrefix: "/static/avatars"}})
		cfg.Collection = svc
	}})
	name := uniqueName("carol")
	carol := f.register(name)
	r := carol.do(http.MethodPost, "/collection/add", map[string]any{"card_id": charizardID, "quantity": 2})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)

	type profile struct {
		Username           string  `json:"username"`
		MemberSince        string  `json:"member_since"`
		AvatarURL          *string `json:"avatar_url"`
		IsCollectionPublic bool    `json:"is_collection_public"`
		Listings           []struct {
			ID int64 `json:"id"`
		} `json:"listings"`
		Collection *struct {
			Recent     []entryView        `json:"recent"`
			TotalValue float64            `json:"total_value"`
			ByTCG      map[string]float64 `json:"by_tcg"`
		} `json:"collection"`
	}
	// private by default: member-since and listings only
	var p profile
	r = f.anon().do(http.MethodGet, "/users/"+name, nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&p)
	require.Equal(t, name, p.Username)
	require.NotEmpty(t, p.MemberSince)
	require.False(t, p.IsCollectionPublic)
	require.Nil(t, p.Collection)
	require.Len(t, p.Listings, 1)
	require.NotContains(t, string(r.body), "total_value")
	r = f.anon().do(http.MethodGet, "/users/"+name, nil, "Accept", "text/html,application/xhtml+xml")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), "This collection is private.")
	require.NotContains(t, string(r.body), "Charizard ×2")
	r = f.anon().do(http.MethodGet, "/users/nobody-here", nil)
	require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)

	// the owner sees the whole profile
	r = carol.do(http.MethodGet, "/users/"+name, nil)
	r.json(&p)
	require.NotNil(t, p.Collection)

	r = carol.do(http.MethodPost, "/me/privacy", map[string]any{})
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
	r = carol.do(http.MethodPost, "/me/privacy", map[string]any{"is_collection_public": "yes"})
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	r = f.anon().do(http.MethodPost, "/me/privacy", map[string]any{"is_collection_public": true})
	require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
	r = carol.do(http.MethodPost, "/me/privacy", map[string]any{"is_collection_public": true})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.JSONEq(t, `{"ok": true, "is_collection_public": true}`, string(r.body))

	r = f.anon().do(http.MethodGet, "/users/"+strings.ToUpper(name), nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(&p)
	require.True(t, p.IsCollectionPublic)
	require.NotNil(t, p.Collection)
	require.Len(t, p.Collection.Recent, 1)
	require.Greater(t, p.Collection.TotalValue, 0.0)
	require.Contains(t, p.Collection.ByTCG, "pokemon")
	r = f.anon().do(http.MethodGet, "/users/"+name+"?format=html", nil)
	require.Contains(t, string(r.body), "Charizard ×2")

	// avatar: a 600×400 PNG, red on top, becomes an upright 256×256 WebP
	img := image.NewRGBA(image.Rect(0, 0, 600, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 600; x++ {
			c := color.RGBA{0, 0, 255, 255}
			if y < 200 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	r = carol.uploadFile("/me/avatar", "file", "me.png", buf.Bytes())
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var av struct {
		AvatarURL string `json:"avatar_url"`
	}
	r.json(&av)
	require.True(t, strings.HasPrefix(av.AvatarURL, "/static/avatars/"))
	data, err := os.ReadFile(filepath.Join(dir, "avatars", strings.TrimPrefix(av.AvatarURL, "/static/avatars/")))
	require.NoError(t, err)
	out, err := webp.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 256, 256), out.Bounds())
	top, _, _, _ := out.At(128, 10).RGBA()
	_, _, bottom, _ := out.At(128, 245).RGBA()
	require.Greater(t, top>>8, uint32(200), "red stays on top")
	require.Greater(t, bottom>>8, uint32(200), "blue stays at the bottom")
	r = f.anon().do(http.MethodGet, "/users/"+name, nil)
	r.json(&p)
	require.Equal(t, av.AvatarURL, *p.AvatarURL)

	r = carol.uploadFile("/me/avatar", "file", "x.txt", []byte("not an image"))
	require.Equal(t, http.StatusUnsupportedMediaType, r.status, "%s", r.body)
	r = carol.uploadFile("/me/avatar", "file", "big.png", bytes.Repeat([]byte{0}, 5<<20+10))
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status, "%s", r.body)
	r = carol.uploadFile("/me/avatar", "photo", "me.png", buf.Bytes())
	require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
}
