package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/draw"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer"
)

// Fakes of the project's own stage interfaces: these tests are about the
// HTTP, queue, worker and store plumbing; the real stages are tested in
// their packages and end to end in recognize_demo_test.go.

type wholeFrame struct{}

func (wholeFrame) Detect(context.Context, *image.RGBA) ([]catalog.Detection, error) { return nil, nil }
func (wholeFrame) Rectify(_ context.Context, img *image.RGBA, d catalog.Detection) (catalog.RectifiedCard, error) {
	return catalog.RectifiedCard{Detection: d, Image: img}, nil
}

// tagEmbedder puts the photo's top-left grey value into the vector.
type tagEmbedder struct{ calls *atomic.Int32 }

func (tagEmbedder) Dim() int             { return 1 }
func (tagEmbedder) ModelVersion() string { return "tag" }
func (e tagEmbedder) Embed(_ context.Context, imgs []*image.RGBA) ([][]float32, error) {
	if e.calls != nil {
		e.calls.Add(1)
	}
	out := make([][]float32, len(imgs))
	for i, im := range imgs {
		out[i] = []float32{float32(im.Pix[0])}
	}
	return out, nil
}

// tagIndex maps tag → demo card id (tags 10, 20, 30 …).
type tagIndex map[int]int64

func (x tagIndex) Search(_ context.Context, _ string, v []float32, _ int, _ string) ([]catalog.Neighbor, error) {
	tag := int(v[0]+5) / 10 * 10
	if id, ok := x[tag]; ok {
		return []catalog.Neighbor{{CardID: id, Distance: 0.05}}, nil
	}
	return nil, nil
}

type noText struct{}

func (noText) Read(context.Context, *image.RGBA, string) (catalog.OCRResult, error) {
	return catalog.OCRResult{}, nil
}

var demoTags = tagIndex{10: 441076, 20: 600001, 30: 500002, 40: 700001, 50: 900001}

func decodeJPEG(b []byte) (*image.RGBA, error) {
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, catalog.Errorf(catalog.EINVALID, "Image could not be decoded")
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out, nil
}

// validateJPEG is a minimal stand-in for the decoder's header check.
func validateJPEG(b []byte) error {
	if !bytes.HasPrefix(b, []byte{0xFF, 0xD8}) {
		return catalog.Errorf(catalog.EUNSUPPORTED, "Unsupported image type; send JPEG, PNG or WebP")
	}
	return nil
}

func setupFake(t *testing.T, calls *atomic.Int32) recFixture {
	t.Helper()
	return setupRecognition(t, func(db *postgres.DB) *recognizer.Pipeline {
		return &recognizer.Pipeline{Detector: wholeFrame{}, Embedder: tagEmbedder{calls}, Index: demoTags, OCR: noText{}, Catalog: db}
	}, validateJPEG, decodeJPEG)
}

func TestRecognizeRoundTrip(t *testing.T) {
	t.Parallel()
	f := setupFake(t, nil)
	res, body := f.post("/api/cards/recognize", [][]byte{jpegOf(t, 64, 64, 20)}, map[string]string{"tcg_slug": "yugioh"})
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	var out catalog.ScanResult
	require.NoError(t, json.Unmarshal(body, &out))
	require.NotEmpty(t, out.ScanID)
	require.Equal(t, int64(600001), out.Candidates[0].CardID)
	require.Equal(t, "Blue-Eyes White Dragon", out.Candidates[0].Name)
	require.Equal(t, "Legend of Blue Eyes White Dragon", out.Candidates[0].SetName)
	require.Equal(t, "yugioh", out.Candidates[0].TCGSlug)
	require.Len(t, out.Cards, 1)

	// the worker exported the pipeline's stage timings and the outcome
	rec := httptest.NewRecorder()
	f.metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Contains(t, rec.Body.String(), `csm_scan_stage_duration_seconds_count{stage="total"} 1`)
	require.Contains(t, rec.Body.String(), `csm_scan_stage_duration_seconds_count{stage="decode"} 1`)
	require.Contains(t, rec.Body.String(), `csm_scan_tasks_total{status="done"} 1`)

	// the stored scan answers the same
	var again catalog.ScanResult
	require.Equal(t, http.StatusOK, f.getJSON("/api/cards/recognize/"+out.ScanID, &again).StatusCode)
	require.Equal(t, out.Candidates, again.Candidates)

	// feedback: any catalogue card, copied for retraining, 201
	fb, _ := json.Marshal(map[string]any{"scan_id": out.ScanID, "card_id": 600003})
	r, err := http.Post(f.url+"/api/cards/recognize/feedback", "application/json", bytes.NewReader(fb))
	require.NoError(t, err)
	var fbOut map[string]any
	require.NoError(t, json.NewDecoder(r.Body).Decode(&fbOut))
	r.Body.Close()
	require.Equal(t, http.StatusCreated, r.StatusCode, "%v", fbOut)
	path := f.data + "/photos/confirmed/yugioh/600003/" + out.ScanID + ".jpg"
	require.True(t, strings.HasPrefix(fbOut["image_url"].(string), "/api/photos/confirmed/yugioh/600003/"+out.ScanID+".jpg?exp="), fbOut)
	pr, err := http.Get(f.url + fbOut["image_url"].(string))
	require.NoError(t, err)
	pr.Body.Close()
	require.Equal(t, http.StatusOK, pr.StatusCode, "the signed URL opens the confirmed photo")
	_, err = os.Stat(path)
	require.NoError(t, err)
	var n int
	require.NoError(t, f.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM scan_feedback WHERE scan_id = $1 AND card_id = 600003`, out.ScanID).Scan(&n))
	require.Equal(t, 1, n)

	for body, status := range map[string]int{
		`{"scan_id": "` + out.ScanID + `", "card_id": 1}`: http.StatusNotFound,
		`{"scan_id": "nope", "card_id": 600003}`:          http.StatusNotFound,
		`{"card_id": 600003}`:                             http.StatusUnprocessableEntity,
		`{"scan_id": 5}`:                                  http.StatusUnprocessableEntity,
		`not json`:                                        http.StatusUnprocessableEntity,
	} {
		r, err := http.Post(f.url+"/api/cards/recognize/feedback", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		r.Body.Close()
		require.Equal(t, status, r.StatusCode, body)
	}
	var nf map[string]any
	require.Equal(t, http.StatusNotFound, f.getJSON("/api/cards/recognize/nope", &nf).StatusCode)
}

func TestBulkResultsInSubmissionOrder(t *testing.T) {
	t.Parallel()
	f := setupFake(t, nil)
	tags := []uint8{50, 10, 40, 20, 30, 10}
	want := []int64{900001, 441076, 700001, 600001, 500002, 441076}
	imgs := make([][]byte, len(tags))
	for i, tag := range tags {
		imgs[i] = jpegOf(t, 48, 48, tag)
	}
	res, body := f.post("/api/cards/recognize/bulk", imgs, nil)
	require.Equal(t, http.StatusAccepted, res.StatusCode, "%s", body)
	var sub struct {
		BatchID   string   `json:"batch_id"`
		ScanIDs   []string `json:"scan_ids"`
		EventsURL string   `json:"events_url"`
	}
	require.NoError(t, json.Unmarshal(body, &sub))
	require.Len(t, sub.ScanIDs, len(tags))

	// SSE: progress events, then results strictly in submission order
	sse, err := http.Get(f.url + sub.EventsURL)
	require.NoError(t, err)
	defer sse.Body.Close()
	require.Equal(t, "text/event-stream", strings.Split(sse.Header.Get("Content-Type"), ";")[0])
	sc := bufio.NewScanner(sse.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var event string
	var order []int
	progress, completed := 0, false
	deadline := time.Now().Add(30 * time.Second)
	for !completed && time.Now().Before(deadline) && sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data := strings.TrimPrefix(line, "data:")
			switch event {
			case "progress":
				progress++
			case "result":
				var item struct {
					Index  int                `json:"index"`
					Status string             `json:"status"`
					Result catalog.ScanResult `json:"result"`
				}
				require.NoError(t, json.Unmarshal([]byte(data), &item))
				require.Equal(t, "done", item.Status)
				require.Equal(t, want[item.Index], item.Result.Candidates[0].CardID)
				order = append(order, item.Index)
			case "completed":
				completed = true
			}
		}
	}
	require.True(t, completed)
	require.Equal(t, []int{0, 1, 2, 3, 4, 5}, order)
	require.GreaterOrEqual(t, progress, 1)

	var st struct {
		Total, Done, Failed int
		Results             []struct {
			Index  int
			ScanID string             `json:"scan_id"`
			Result catalog.ScanResult `json:"result"`
		}
	}
	f.getJSON("/api/cards/recognize/bulk/"+sub.BatchID, &st)
	require.Equal(t, 6, st.Total)
	require.Equal(t, 6, st.Done)
	for i, r := range st.Results {
		require.Equal(t, i, r.Index)
		require.Equal(t, sub.ScanIDs[i], r.ScanID)
		require.Equal(t, want[i], r.Result.Candidates[0].CardID)
	}
}

func TestRecognizeUploadErrors(t *testing.T) {
	t.Parallel()
	f := setupFake(t, nil)
	for name, tc := range map[string]struct {
		img    []byte
		status int
	}{
		"not an image": {[]byte("hello, this is text"), http.StatusUnsupportedMediaType},
		"too large":    {append([]byte{0xFF, 0xD8}, make([]byte, 10<<20)...), http.StatusRequestEntityTooLarge},
		"empty":        {[]byte{}, http.StatusBadRequest},
	} {
		res, body := f.post("/api/cards/recognize", [][]byte{tc.img}, nil)
		require.Equal(t, tc.status, res.StatusCode, "%s: %s", name, body)
		var e map[string]any
		require.NoError(t, json.Unmarshal(body, &e), name)
		require.IsType(t, "", e["detail"], name)
	}
	// no image field: the documented 422 list
	res, body := f.post("/api/cards/recognize", nil, map[string]string{"tcg_slug": "pokemon"})
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "%s", body)
	require.Contains(t, string(body), `"loc":["body","image"]`)
	// not multipart at all
	r, err := http.Post(f.url+"/api/cards/recognize", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	// a JPEG whose body is cut off: accepted by the header check, fails in the worker as 400
	whole := jpegOf(t, 64, 64, 10)
	res, body = f.post("/api/cards/recognize", [][]byte{whole[:len(whole)/3]}, nil)
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
	require.Contains(t, string(body), "could not be decoded")
}
