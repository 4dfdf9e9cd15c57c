// Command bench-scan-sessions measures how fast a phone's action reaches
// the desktop in a cross-device scan session: the time from the phone
// sending POST …/upload-photo (a JPEG of -size, rotated and re-encoded as
// WebP by the server) until the desktop's SSE stream delivers the "photo"
// event, and from POST …/results with a pre-computed recognition (no
// recognition time) until the "result" event. The phone and the desktop
// talk to two different API servers that share only Postgres and Redis
// (the event crosses processes through Redis pub/sub, as in production).
// Run it with `make bench-scan-sessions`; the target is p99 ≤ 50 ms.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/cmd/internal/benchserver"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/photos"
	"github.com/collectorstash/csm/recognizer/decode"
	"github.com/collectorstash/csm/recognizer/scanphoto"
	"github.com/collectorstash/csm/recognizer/synth"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/workers"
)

func main() {
	n := flag.Int("n", 300, "cards uploaded (photo + result each)")
	size := flag.String("size", "640x480", "photo size WxH")
	flag.Parse()
	var w, h int
	if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil {
		fmt.Fprintln(os.Stderr, "bench-scan-sessions: -size WxH")
		os.Exit(2)
	}
	if err := run(*n, w, h); err != nil {
		fmt.Fprintln(os.Stderr, "bench-scan-sessions:", err)
		os.Exit(1)
	}
}

const schema = "bench_scan_sessions"

func run(n, w, h int) error {
	ctx := context.Background()
	redisAddr := benchserver.RedisAddr()
	sc, err := benchserver.NewScratch(ctx, schema, 1)
	if err != nil {
		return err
	}
	defer sc.Close()
	db := sc.DB
	dataDir, err := os.MkdirTemp("", "bench-scan-sessions")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)

	// two API processes' worth of servers: the phone's and the desktop's
	quiet := benchserver.Quiet()
	var urls [2]string
	for i := range urls {
		queue := workers.NewQueue(redisAddr)
		defer queue.Close()
		events := workers.NewScanEvents(redisAddr)
		defer events.Close()
		if err := events.Ping(ctx); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
		secret := []byte("bench-scan-sessions-secret-bench!")
		scans := scanning.New(scanning.Config{Store: db, Queue: queue, Events: events, Log: quiet,
			Photos: photos.New(filepath.Join(dataDir, "photos"), secret, scanphoto.Encoder{})})
		defer scans.Close()
		h, err := api.New(api.Config{Catalog: db, Log: quiet, Scanning: scans,
			ValidateImage: func(b []byte) error { _, err := decode.Check(b); return err },
			Accounts:      db, Keys: db, SessionSecret: secret})
		if err != nil {
			return err
		}
		u, stop, err := benchserver.Listen(h)
		if err != nil {
			return err
		}
		defer stop()
		urls[i] = u
	}
	phoneURL, deskURL := urls[0], urls[1]
	cookie, err := signUp(deskURL)
	if err != nil {
		return err
	}
	photo, err := cardPhoto(w, h)
	if err != nil {
		return err
	}
	rec := `{"scan_id":"phone","candidates":[{"card_id":441076,"name":"Charizard","set_name":"Base Set","tcg_slug":"pokemon","score":0.91,"confidence":"high"}]}`

	var photoLat, resultLat, photoAfter, resultAfter []time.Duration
	perSession := 200
	for done := 0; done < n; {
		id, token, err := newSession(deskURL, cookie)
		if err != nil {
			return err
		}
		stream, err := openSSE(deskURL, id, cookie)
		if err != nil {
			return err
		}
		if _, err := call(phoneURL+"/api/scan-sessions/"+id+"/claim?token="+token, "application/json", strings.NewReader(`{"device_name":"bench"}`)); err != nil {
			return err
		}
		if _, err := stream.wait("claimed", 0); err != nil {
			return err
		}
		for i := 0; i < perSession && done < n; i, done = i+1, done+1 {
			body, ctype := multipartPhoto(photo)
			t0 := time.Now()
			if _, err := call(phoneURL+"/api/scan-sessions/"+id+"/upload-photo?token="+token, ctype, body); err != nil {
				return err
			}
			t1 := time.Now()
			at, err := stream.wait("photo", i)
			if err != nil {
				return err
			}
			photoLat = append(photoLat, at.Sub(t0))
			photoAfter = append(photoAfter, max(at.Sub(t1), 0))
			t0 = time.Now()
			if _, err := call(phoneURL+"/api/scan-sessions/"+id+"/results?token="+token, "application/json",
				strings.NewReader(fmt.Sprintf(`{"cards":[{"card_index":%d,"recognition":%s}]}`, i, rec))); err != nil {
				return err
			}
			t1 = time.Now()
			if at, err = stream.wait("result", i); err != nil {
				return err
			}
			resultLat = append(resultLat, at.Sub(t0))
			resultAfter = append(resultAfter, max(at.Sub(t1), 0))
		}
		if _, err := call(phoneURL+"/api/scan-sessions/"+id+"/complete?token="+token, "", nil); err != nil {
			return err
		}
		if _, err := stream.wait("completed", 0); err != nil {
			return err
		}
		stream.close()
	}
	fmt.Printf("scan sessions: %d cards, %dx%d JPEG photos (%d KB), phone → API A, desktop SSE ← API B, via Redis pub/sub\n",
		n, w, h, len(photo)/1024)
	report("upload-photo sent → desktop 'photo' event (incl. decode, rotate, WebP)", photoLat)
	report("results sent → desktop 'result' event (pre-computed recognition)", resultLat)
	report("upload-photo answered → 'photo' event (fan-out only)", photoAfter)
	report("results answered → 'result' event (fan-out only)", resultAfter)
	for _, c := range []struct {
		what string
		d    []time.Duration
	}{{"photo path", photoLat}, {"result path", resultLat}} {
		verdict := "PASS"
		if pct(c.d, 0.99) > 50*time.Millisecond {
			verdict = "FAIL"
		}
		fmt.Printf("target p99 ≤ 50 ms, %s: %s\n", c.what, verdict)
	}
	return nil
}

func pct(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func report(what string, d []time.Duration) {
	ms := func(x time.Duration) string { return fmt.Sprintf("%.2f ms", float64(x.Microseconds())/1000) }
	fmt.Printf("  %-72s p50 %9s  p99 %9s  max %9s\n", what, ms(pct(d, 0.5)), ms(pct(d, 0.99)), ms(pct(d, 1)))
}

// cardPhoto is a synthesised photo of a demo card, as a phone would send.
func cardPhoto(w, h int) ([]byte, error) {
	face, err := demo.RenderCard("pokemon", 441076, "Charizard", "4/102")
	if err != nil {
		return nil, err
	}
	img, _ := synth.Photo(face, synth.Options{Width: w, Height: h, Scale: 0.7, Background: synth.BackgroundWood, Light: 1},
		rand.New(rand.NewPCG(1, 2)))
	var b bytes.Buffer
	err = jpeg.Encode(&b, image.Image(img), &jpeg.Options{Quality: 85})
	return b.Bytes(), err
}

func multipartPhoto(data []byte) (io.Reader, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	p, _ := mw.CreateFormFile("image", "card.jpg")
	_, _ = p.Write(data)
	_ = mw.Close()
	return &body, mw.FormDataContentType()
}

var client = benchserver.Client(16)

// call POSTs and returns the body; non-2xx is an error.
func call(u, ctype string, body io.Reader) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodPost, u, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s: %d %s", u, res.StatusCode, out)
	}
	return out, nil
}

func signUp(base string) (string, error) {
	res, err := client.Post(base+"/auth/register", "application/json",
		strings.NewReader(`{"username":"bench","email":"bench@example.com","password":"bench-password-1"}`))
	if err != nil {
		return "", err
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == api.SessionCookie {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("sign-up: %d, no cookie", res.StatusCode)
}

func newSession(base, cookie string) (id, token string, err error) {
	req, _ := http.NewRequest(http.MethodPost, base+"/api/scan-sessions", nil)
	req.Header.Set("Cookie", api.SessionCookie+"="+cookie)
	req.Header.Set("Origin", base)
	res, err := client.Do(req)
	if err != nil {
		return "", "", err
	}
	defer res.Body.Close()
	var s struct {
		ID    string `json:"session_id"`
		Token string `json:"claim_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil || res.StatusCode != http.StatusCreated {
		return "", "", fmt.Errorf("create session: %d %v", res.StatusCode, err)
	}
	return s.ID, url.QueryEscape(s.Token), nil
}

// stream is a desktop's SSE connection: it timestamps each event on arrival.
type stream struct {
	mu     sync.Mutex
	seen   map[string]time.Time
	notify chan struct{}
	cancel func()
	err    error
}

func openSSE(base, id, cookie string) (*stream, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/scan-sessions/"+id+"/sse", nil)
	req.Header.Set("Cookie", api.SessionCookie+"="+cookie)
	res, err := (&http.Client{}).Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		cancel()
		return nil, fmt.Errorf("sse: %d", res.StatusCode)
	}
	s := &stream{seen: map[string]time.Time{}, notify: make(chan struct{}, 1), cancel: cancel}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var event string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = line[7:]
			case strings.HasPrefix(line, "data: "):
				now := time.Now()
				var d struct {
					Index int `json:"card_index"`
				}
				_ = json.Unmarshal([]byte(line[6:]), &d)
				s.mu.Lock()
				s.seen[fmt.Sprintf("%s:%d", event, d.Index)] = now
				s.mu.Unlock()
				select {
				case s.notify <- struct{}{}:
				default:
				}
			}
		}
	}()
	return s, nil
}

// wait returns when event (of card index) arrived.
func (s *stream) wait(event string, index int) (time.Time, error) {
	key := fmt.Sprintf("%s:%d", event, index)
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		at, ok := s.seen[key]
		s.mu.Unlock()
		if ok {
			return at, nil
		}
		select {
		case <-s.notify:
		case <-deadline:
			return time.Time{}, fmt.Errorf("no %s event within 10 s", key)
		}
	}
}

func (s *stream) close() { s.cancel() }
