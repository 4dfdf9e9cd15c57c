package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/collection"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/market"
	"github.com/collectorstash/csm/photos"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/recognizer"
	"github.com/collectorstash/csm/recognizer/decode"
	"github.com/collectorstash/csm/recognizer/scanphoto"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/scanpwa"
	"github.com/collectorstash/csm/workers"
)

// meanEmbedder embeds a photo as its mean grey value: robust to the
// rotation and WebP re-encoding of session photos.
type meanEmbedder struct{}

func (meanEmbedder) Dim() int             { return 1 }
func (meanEmbedder) ModelVersion() string { return "mean" }
func (meanEmbedder) Embed(_ context.Context, imgs []*image.RGBA) ([][]float32, error) {
	out := make([][]float32, len(imgs))
	for i, im := range imgs {
		var sum, n float64
		for p := 0; p < len(im.Pix); p += 4 {
			sum += (float64(im.Pix[p]) + float64(im.Pix[p+1]) + float64(im.Pix[p+2])) / 3
			n++
		}
		out[i] = []float32{float32(sum / max(n, 1))}
	}
	return out, nil
}

// orCharizard maps grey tags like demoTags, and any other photo (a camera
// frame of a card) to the demo Charizard: the real model is tested
// elsewhere, these tests are about the session plumbing.
type orCharizard struct{}

func (orCharizard) Search(ctx context.Context, m string, v []float32, k int, g string) ([]catalog.Neighbor, error) {
	if n, _ := demoTags.Search(ctx, m, v, k, g); len(n) > 0 && (v[0] < 60) {
		return n, nil
	}
	return []catalog.Neighbor{{CardID: 441076, Distance: 0.08}}, nil
}

func decodeAny(b []byte) (*image.RGBA, error) {
	img, _, err := decode.Decode(b)
	return img, err
}

// ssFixture is the API with accounts, recognition and scan sessions over
// real HTTP, an asynq worker on real Redis, Postgres, the WebP encoder and
// the pages; its clock can be moved forward.
type ssFixture struct {
	t    *testing.T
	url  string
	db   *postgres.DB
	data string
	logs *lockedBuffer
	// photos is the fixture's photo store (data/photos).
	photos *photos.Store
	mu     sync.Mutex
	skew   time.Duration
	// stop takes the server down (the network gone, for offline tests).
	stop func()
}

func (f *ssFixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return time.Now().Add(f.skew)
}

// advance moves the fixture's clock forward.
func (f *ssFixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.skew += d
}

func setupScanSessions(t testing.TB) *ssFixture {
	t.Helper()
	db, _ := pgtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := demo.Load(ctx, db, db, demo.Options{Today: time.Now().UTC(), Days: 2})
	require.NoError(t, err)
	f := &ssFixture{db: db, data: t.(interface{ TempDir() string }).TempDir(), logs: &lockedBuffer{}}
	if tt, ok := t.(*testing.T); ok {
		f.t = tt
	}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	q := workers.NewQueue(redisAddr())
	require.NoError(t, q.Ping(ctx), "redis must be running (make services)")
	q.QueueName = fmt.Sprintf("scansess-%p", f)
	events := workers.NewScanEvents(redisAddr())
	secret := []byte("scan-session-secret-scan-session-secret")
	scans := scanService(t, scanning.Config{Store: db, Queue: q, Events: events, Wait: 20 * time.Second, Now: f.now, Log: log},
		f.data, secret, scanphoto.Encoder{})
	f.photos = scans.Photos()
	h := &workers.RecognizeHandler{Scans: scans, Decode: decodeAny, Log: log,
		Pipeline: &recognizer.Pipeline{Detector: wholeFrame{}, Embedder: meanEmbedder{}, Index: orCharizard{}, OCR: noText{}, Catalog: db}}
	done := make(chan error, 1)
	go func() {
		done <- workers.Run(ctx, workers.Config{Redis: asynq.RedisClientOpt{Addr: redisAddr()}, Concurrency: 2,
			Queues: map[string]int{q.QueueName: 1}, Log: log, Handlers: map[string]asynq.Handler{workers.TypeRecognize: h}})
	}()
	pages, err := scanpwa.New()
	require.NoError(t, err)
	apiH, err := api.New(api.Config{Catalog: db, Scanning: scans, ValidateImage: func(b []byte) error {
		_, err := decode.Check(b)
		return err
	}, StaticDir: f.data + "/static", Log: log, Now: f.now,
		Accounts: db, Keys: db, SessionSecret: secret, PublicURL: "https://cards.example", Pages: pages,
		Market: market.New(market.Config{Store: db.Market(), Now: f.now, Log: log}), Collection: collection.NewService(db, f.now)})
	require.NoError(t, err)
	srv := httptest.NewServer(validated(t, apiH))
	f.url = srv.URL
	f.stop = func() {
		srv.CloseClientConnections()
		srv.Close()
	}
	t.Cleanup(func() {
		f.stop()
		cancel()
		<-done
		insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: redisAddr()})
		_ = insp.DeleteQueue(q.QueueName, true)
		_ = insp.Close()
		_ = q.Close()
		_ = events.Close()
	})
	return f
}

// register creates an account and returns its session cookie.
func (f *ssFixture) register(t testing.TB, name string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"username": name, "email": name + "@example.com", "password": "scan-password-1"})
	res, err := http.Post(f.url+"/auth/register", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
	for _, ck := range res.Cookies() {
		if ck.Name == api.SessionCookie {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// do sends a request; body is JSON (string) or a prepared reader with its
// content type in hdr. hdr pairs: "Cookie" takes the bare cookie value.
func (f *ssFixture) do(t testing.TB, method, path string, body io.Reader, hdr ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, body)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Cookie" {
			req.Header.Set("Cookie", api.SessionCookie+"="+hdr[i+1])
			req.Header.Set("Origin", f.url)
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// created is the POST /api/scan-sessions response.
type created struct {
	SessionID        string    `json:"session_id"`
	ClaimToken       string    `json:"claim_token"`
	ConfirmationCode string    `json:"confirmation_code"`
	QRURL            string    `json:"qr_url"`
	Deeplink         string    `json:"deeplink"`
	ExpiresAt        time.Time `json:"expires_at"`
}

func (f *ssFixture) create(t testing.TB, cookie string) created {
	t.Helper()
	st, body := f.do(t, http.MethodPost, "/api/scan-sessions", nil, "Cookie", cookie)
	require.Equal(t, http.StatusCreated, st, "%s", body)
	var c created
	require.NoError(t, json.Unmarshal(body, &c))
	return c
}

// sse is an open event stream.
type sse struct {
	events chan [2]string // event, data; closed when the stream ends
	status int
	cancel func()
}

// openSSE connects to a session's stream with the cookie.
func (f *ssFixture) openSSE(t testing.TB, id, cookie string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.url+"/api/scan-sessions/"+id+"/sse", nil)
	if cookie != "" {
		req.Header.Set("Cookie", api.SessionCookie+"="+cookie)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	s := &sse{events: make(chan [2]string, 64), status: res.StatusCode, cancel: cancel}
	go func() {
		defer close(s.events)
		defer res.Body.Close()
		readSSE(res.Body, func(ev, data string) { s.events <- [2]string{ev, data} })
	}()
	t.Cleanup(cancel)
	return s
}

// readSSE calls fn for every event of an SSE body until it ends.
func readSSE(r io.Reader, fn func(event, data string)) {
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	for {
		n, err := r.Read(tmp)
		buf = append(buf, tmp[:n]...)
		for {
			i := bytes.Index(buf, []byte("\n\n"))
			if i < 0 {
				break
			}
			var ev, data string
			for _, line := range strings.Split(string(buf[:i]), "\n") {
				if v, ok := strings.CutPrefix(line, "event: "); ok {
					ev = v
				} else if v, ok := strings.CutPrefix(line, "data: "); ok {
					data = v
				}
			}
			if ev != "" {
				fn(ev, data)
			}
			buf = buf[i+2:]
		}
		if err != nil {
			return
		}
	}
}

// next waits for the stream's next event.
func (s *sse) next(t testing.TB) (string, string) {
	t.Helper()
	select {
	case e, ok := <-s.events:
		require.True(t, ok, "stream ended")
		return e[0], e[1]
	case <-time.After(20 * time.Second):
		t.Fatal("no SSE event within 20 s")
	}
	return "", ""
}
