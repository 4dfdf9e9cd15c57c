package ocr

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"image/png"
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

func TestDevDump(t *testing.T) {
	dir := os.Getenv("DEV_DUMP")
	if dir == "" {
		t.Skip()
	}
	for _, fn := range strings.Fields(os.Getenv("DEV_FILES")) {
		card := devLoad(t, filepath.Join(os.Getenv("DEV_YGO"), fn+".jpg"))
		l := Layouts["yugioh"]
		for ri, reg := range l.Number.Regions[:1] {
			rect := textBox(card, pixelRect(card.Bounds(), reg))
			scale := min(5, max(1.5, 60/float64(rect.Dy())))
			base := greyCrop(card, rect, scale)
			stretch(base)
			th := otsu(base)
			light := lightText(base, th)
			for v := range 4 {
				g := variant(base, th, light, v)
				out, _ := os.Create(filepath.Join(dir, fmt.Sprintf("%s_%d_%d.png", fn, ri, v)))
				png.Encode(out, g)
				out.Close()
			}
		}
	}
}

func TestDevRaw(t *testing.T) {
	if os.Getenv("DEV_RAW") == "" {
		t.Skip()
	}
	var reg Region
	fmt.Sscanf(os.Getenv("DEV_RAW"), "%f,%f,%f,%f", &reg.X0, &reg.Y0, &reg.X1, &reg.Y1)
	var scale float64
	fmt.Sscanf(os.Getenv("DEV_SCALE"), "%f", &scale)
	r, err := New(Config{Clients: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c, _ := r.pool.get(context.Background())
	defer r.pool.put(c)
	for _, fn := range strings.Fields(os.Getenv("DEV_FILES")) {
		card := devLoad(t, filepath.Join(os.Getenv("DEV_YGO"), fn+".jpg"))
		rd := &cardReader{ctx: context.Background(), c: c, card: card}
		rect := textBox(card, pixelRect(card.Bounds(), reg))
		if scale == 0 {
			scale = min(5, max(1.5, 60/float64(rect.Dy())))
		}
		fmt.Println(rect)
		base := greyCrop(card, rect, scale)
		stretch(base)
		th := otsu(base)
		light := lightText(base, th)
		var outs []string
		for v := range 4 {
			g := variant(base, th, light, v)
			raw, conf, _ := rd.ocr(g, Spec{Whitelist: NumberChars})
			outs = append(outs, fmt.Sprintf("%q %.2f", raw, conf))
		}
		fmt.Println(fn, light, strings.Join(outs, " | "))
	}
}
