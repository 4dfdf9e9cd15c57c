package main

import (
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
)

func rect(x0, y0, x1, y1 float64) [4]catalog.Point {
	return [4]catalog.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
}

func TestIoU(t *testing.T) {
	t.Parallel()
	a := rect(0, 0, 10, 10)
	require.InDelta(t, 1, IoU(a, a), 1e-9)
	require.InDelta(t, 0, IoU(a, rect(20, 20, 30, 30)), 1e-9)
	require.InDelta(t, 50.0/150, IoU(a, rect(5, 0, 15, 10)), 1e-9, "half overlap")
	// corner order does not matter
	b := [4]catalog.Point{a[2], a[1], a[0], a[3]}
	require.InDelta(t, 1, IoU(a, b), 1e-9)
}

func noise(seed uint64, w, h int) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y += 8 {
		for x := 0; x < w; x += 8 {
			c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
			for dy := 0; dy < 8 && y+dy < h; dy++ {
				for dx := 0; dx < 8 && x+dx < w; dx++ {
					img.SetRGBA(x+dx, y+dy, c)
				}
			}
		}
	}
	return img
}

func TestPHash(t *testing.T) {
	t.Parallel()
	a := noise(1, 120, 170)
	require.Equal(t, 0, PHash(a).Distance(PHash(a)))
	brighter := image.NewRGBA(a.Bounds())
	for i, v := range a.Pix {
		brighter.Pix[i] = uint8(min(255, int(v)+20))
	}
	near := PHash(a).Distance(PHash(brighter))
	far := PHash(a).Distance(PHash(noise(2, 120, 170)))
	require.Less(t, near, 8, "a brightness change keeps the hash")
	require.Greater(t, far, 16, "another image is far")
	require.Equal(t, 0, PHash(rotate180(rotate180(a))).Distance(PHash(a)))
}

func writeManifest(t testing.TB, body string) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "labels.csv"), []byte(body), 0o644))
	return dir
}

func TestReadManifest(t *testing.T) {
	t.Parallel()
	rows, err := readManifest(writeManifest(t, "file,family,name,number,set,game\n"+
		"lob001.jpg,bewd,Blue-Eyes White Dragon,LOB-EN001,LOB,yugioh\nsdk001.png,bewd,Blue-Eyes White Dragon,SDK-001,SDK\n"))
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, manifestRow{family: "bewd", name: "Blue-Eyes White Dragon", number: "SDK-001", set: "SDK"}, rows["sdk001"])

	rows, err = readManifest(t.TempDir())
	require.NoError(t, err, "no manifest is fine")
	require.Nil(t, rows)

	_, err = readManifest(writeManifest(t, "name,number\nx,1\n"))
	require.ErrorContains(t, err, "no file/label column")
	_, err = readManifest(writeManifest(t, "file,name\na.jpg,\"broken\n"))
	require.ErrorContains(t, err, "labels.csv:2")
}

func FuzzReadManifest(f *testing.F) {
	f.Add("file,family\na.jpg,x\n")
	f.Add("label\n\"\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, body string) {
		rows, err := readManifest(writeManifest(t, body))
		if err != nil {
			require.Nil(t, rows)
		}
	})
}
