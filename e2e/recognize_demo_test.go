package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/internal/wire"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/recognizer"
)

// TestRecognizeDemoPhoto is the README's demo path with every real stage:
// the demo catalogue's rendered faces indexed by the committed ONNX model in
// pgvector, and demo/photos/charizard.jpg (a synthesised phone photo made by
// `go run ./cmd/bench-scan -photo …`) posted to /api/cards/recognize through
// the queue and a worker running GoCV, ONNX Runtime, Tesseract and ORB.
func TestRecognizeDemoPhoto(t *testing.T) {
	t.Parallel()
	photo, err := os.ReadFile("../demo/photos/charizard.jpg")
	require.NoError(t, err)
	var rec *wire.Recognition
	static := t.TempDir()
	f := setupRecognition(t, func(db *postgres.DB) *recognizer.Pipeline {
		_, err := demo.Load(t.Context(), db, db, demo.Options{Today: time.Now().UTC(), Days: 2, StaticDir: static})
		require.NoError(t, err)
		rec, err = wire.NewRecognition(wire.Config{ModelPath: "../models/card-embed-v2.onnx", Threads: 1}, db)
		require.NoError(t, err)
		t.Cleanup(func() { _ = rec.Close() })
		rep, err := rec.Index.Build(t.Context(), rec.Embedder, wire.LoadImage, 16, nil)
		require.NoError(t, err)
		require.Equal(t, 14, rep.Embedded)
		return rec.Pipeline
	}, wire.Validate, wire.Decode)

	res, body := f.post("/api/cards/recognize", [][]byte{photo}, map[string]string{"tcg_slug": "pokemon"})
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	var out catalog.ScanResult
	require.NoError(t, json.Unmarshal(body, &out))
	top := out.Candidates[0]
	require.Equal(t, int64(441076), top.CardID, "%s", body)
	require.Equal(t, "Charizard", top.Name)
	require.Equal(t, "Base Set", top.SetName)
	require.Equal(t, catalog.ConfidenceHigh, top.Confidence, "%+v", top)
	require.Equal(t, 1.0, top.Components.CollectorNumber, "OCR read 4/102: %s", body)
	require.Equal(t, "4/102", out.Cards[0].OCR.Number, "%s", body)
	require.Greater(t, top.Components.Embedding, 0.9)
	require.Contains(t, []string{"likely_real", "uncertain"}, out.CaptureQuality.Verdict)
	for _, stage := range []string{"decode", "detect", "embed", "search", "ocr", "score", "total"} {
		require.Contains(t, out.Timings, stage)
	}
	// the other Base-Set-numbered Charizard (set 1043 vs 1188) is among the
	// candidates, ranked below the printing whose number was read
	others := 0
	for _, c := range out.Candidates[1:] {
		require.Less(t, c.Score, top.Score)
		if c.Name == "Charizard" && c.CardID != top.CardID {
			others++
		}
	}
	require.Positive(t, others, "the other Charizard printing is a candidate: %s", body)
}
