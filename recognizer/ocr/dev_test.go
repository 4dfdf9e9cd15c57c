package ocr

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/draw"
)

func devLoad(t testing.TB, path string) *image.RGBA {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	dst := image.NewRGBA(image.Rect(0, 0, 420, 600))
	draw.CatmullRom.Scale(dst, dst.Bounds(), im, im.Bounds(), draw.Src, nil)
	return dst
}

func TestDevYGO(t *testing.T) {
	dir := os.Getenv("DEV_YGO")
	if dir == "" {
		t.Skip()
	}
	names := map[string]string{}
	f, _ := os.ReadFile("/work/shared/datasets/yugioh/cards.jsonl")
	for _, l := range strings.Split(string(f), "\n") {
		var c struct{ Name, Number string }
		if json.Unmarshal([]byte(l), &c) == nil {
			names[c.Number] = c.Name
		}
	}
	r, err := New(Config{Clients: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	files := strings.Fields(os.Getenv("DEV_FILES"))
	for _, fn := range files {
		card := devLoad(t, filepath.Join(dir, fn+".jpg"))
		start := time.Now()
		res, err := r.Read(context.Background(), card, os.Getenv("DEV_GAME"))
		fmt.Printf("%-10s %-40q name=%-40q %.2f num=%-12q %.2f set=%q %v %v\n", fn, names[fn], res.Name, res.NameConf, res.Number, res.NumberConf, res.SetCode, time.Since(start).Round(time.Millisecond), err)
	}
}
