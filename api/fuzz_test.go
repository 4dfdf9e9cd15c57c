package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/collectorstash/csm/api"
	"github.com/collectorstash/csm/catalog"
)

// fakeReader is an in-memory catalog.Reader for fuzzing the HTTP edge.
type fakeReader struct{}

var _ catalog.Reader = fakeReader{}

func (fakeReader) Stats(context.Context) (catalog.Stats, error)  { return catalog.Stats{}, nil }
func (fakeReader) Games(context.Context) ([]catalog.Game, error) { return []catalog.Game{}, nil }
func (fakeReader) Game(_ context.Context, slug string, _ catalog.Page) (catalog.Game, []catalog.Set, int64, error) {
	if slug != "pokemon" {
		return catalog.Game{}, nil, 0, catalog.Errorf(catalog.ENOTFOUND, "Game not found")
	}
	return catalog.Game{Slug: slug}, []catalog.Set{}, 0, nil
}
func (fakeReader) Set(_ context.Context, id int64, _ catalog.Page) (catalog.Set, catalog.GameRef, []catalog.CardSummary, int64, error) {
	return catalog.Set{ID: id}, catalog.GameRef{}, []catalog.CardSummary{}, 0, nil
}
func (fakeReader) FindCards(context.Context, catalog.CardFilter) ([]catalog.CardSummary, error) {
	return []catalog.CardSummary{}, nil
}
func (fakeReader) Card(_ context.Context, id int64) (catalog.CardDetail, error) {
	return catalog.CardDetail{ID: id}, nil
}
func (f fakeReader) CardDocument(ctx context.Context, id int64) ([]byte, error) {
	c, _ := f.Card(ctx, id)
	return json.Marshal(c)
}
func (fakeReader) History(context.Context, catalog.HistoryQuery) ([]catalog.HistoryPoint, error) {
	return []catalog.HistoryPoint{}, nil
}
func (fakeReader) Ping(context.Context) error { return nil }

// FuzzV2Request throws arbitrary paths and query strings at the v2 routes:
// every answer is a documented status with a JSON body, never a panic.
func FuzzV2Request(f *testing.F) {
	for _, s := range [][2]string{
		{"cards/441076/history", "region=eu&days=90&variant_id=3"},
		{"cards", "game=pokemon&name=Charizard&number=4/102&limit=5"},
		{"games/pokemon", "page=1&size=50"},
		{"sets/1043", "page=-1&size=%00"},
		{"cards/-1", "days=1e9"},
	} {
		f.Add(s[0], s[1])
	}
	h, err := api.New(api.Config{Catalog: fakeReader{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		u := &url.URL{Path: "/api/v2/" + path, RawQuery: query}
		req, err := http.NewRequest(http.MethodGet, u.String(), nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 301, 307, 308, 400, 404, 405, 422:
		default:
			t.Fatalf("%s → %d %s", u, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["detail"] == nil {
				t.Fatalf("%s → %d without detail: %s", u, rec.Code, rec.Body)
			}
		}
	})
}
