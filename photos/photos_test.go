package photos_test

import (
	"image"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/photos"
)

const sessionID = "01JZ0000000000000000000000"

func TestLayoutAndFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := photos.New(root, []byte("secret"), nil)

	up, err := s.SaveScan("20260605_120000_abcd", []byte("\x89PNG...."))
	require.NoError(t, err)
	require.Equal(t, "scans/20260605/20260605_120000_abcd.png", up.Key)
	require.FileExists(t, filepath.Join(root, "scans", "20260605", "20260605_120000_abcd.png"))
	_, err = s.File(up.Key)
	require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err), "uploads are never served")

	enc, err := s.EncodeSessionPhoto([]byte("jpegdata"))
	require.NoError(t, err)
	sp, err := s.SaveSessionEncoded(sessionID, 3, enc)
	require.NoError(t, err)
	require.Equal(t, "sessions/"+sessionID+"/3.jpg", sp.Key)
	p, err := s.File(sp.Key)
	require.NoError(t, err)
	require.Equal(t, sp.Path, p)

	cf, err := s.SaveConfirmed("yugioh", 600003, "20260605_120000_abcd", up.Path)
	require.NoError(t, err)
	require.Equal(t, "confirmed/yugioh/600003/20260605_120000_abcd.png", cf.Key)
	ref, err := photos.Parse(cf.Key)
	require.NoError(t, err)
	require.Equal(t, photos.Ref{Kind: photos.KindConfirmed, ScanID: "20260605_120000_abcd"}, ref)

	u := s.SaveDebug("20260605_120000_abcd", "detect", image.NewRGBA(image.Rect(0, 0, 4, 4)))
	require.Equal(t, "/api/photos/debug/20260605_120000_abcd/detect.jpg", u)
	ref, err = photos.Parse(photos.KeyOf(u))
	require.NoError(t, err)
	require.Equal(t, photos.KindDebug, ref.Kind)

	require.NoError(t, s.RemoveSession(sessionID))
	require.NoDirExists(t, s.SessionDir(sessionID))
	info, err := os.Stat(cf.Path)
	require.NoError(t, err)
	require.Zero(t, info.Mode().Perm()&0o007, "photos are not world-readable")
}

func TestSignedURL(t *testing.T) {
	t.Parallel()
	s := photos.New(t.TempDir(), []byte("secret"), nil)
	now := time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)
	key := "sessions/" + sessionID + "/0.webp"
	signed := s.SignedURL(key, now)
	require.Equal(t, signed, s.SignedURL(photos.URL(key), now), "an unsigned URL signs the same")
	u, err := url.Parse(signed)
	require.NoError(t, err)
	require.Equal(t, "/api/photos/"+key, u.Path)
	exp, sig := u.Query().Get("exp"), u.Query().Get("sig")
	require.NoError(t, s.Verify(key, exp, sig, now.Add(59*time.Minute)))

	for name, err := range map[string]error{
		"expired":     s.Verify(key, exp, sig, now.Add(time.Hour)),
		"other key":   s.Verify("sessions/"+sessionID+"/1.webp", exp, sig, now),
		"longer exp":  s.Verify(key, exp+"0", sig, now),
		"no sig":      s.Verify(key, exp, "", now),
		"other key's": photos.New(t.TempDir(), []byte("other"), nil).Verify(key, exp, sig, now),
		"no secret":   photos.New(t.TempDir(), nil, nil).Verify(key, exp, sig, now),
	} {
		require.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err), name)
	}
}

func TestParseRefusesOutsideKeys(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"", "scans/2026/x.jpg", "../etc/passwd", "sessions/" + sessionID + "/../../x", "sessions/bad/0.webp",
		"confirmed/a/b", "debug/x", "sessions//0.webp", "sessions/" + sessionID + "/.hidden", "confirmed/a/1/x%2f.jpg"} {
		_, err := photos.Parse(k)
		require.Equal(t, catalog.ENOTFOUND, catalog.ErrorCode(err), k)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("sessions/" + sessionID + "/0.webp")
	f.Add("confirmed/yugioh/1/scan.jpg")
	f.Add("debug/../x")
	f.Fuzz(func(t *testing.T, key string) {
		ref, err := photos.Parse(key)
		if err != nil {
			return
		}
		require.False(t, strings.Contains(key, ".."+"/") || strings.HasPrefix(key, "/") || strings.Contains(key, "\\"), key)
		require.NotEqual(t, photos.KindScan, ref.Kind)
		clean := filepath.Clean(filepath.Join("/root", key))
		require.True(t, strings.HasPrefix(clean, "/root/"), key)
	})
}
