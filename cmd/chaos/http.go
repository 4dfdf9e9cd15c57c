package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"sync/atomic"
	"time"
)

// browser is a signed-in browser: its cookie jar holds tcg_session.
type browser struct {
	name string
	http *http.Client
}

var ipSeq atomic.Int64

// fakeIP gives every anonymous request an address of its own (the APIs
// trust 127.0.0.1 as a proxy), so registration is not rate limited.
func fakeIP() string {
	n := ipSeq.Add(1)
	return fmt.Sprintf("10.%d.%d.%d", (n>>16)&255, (n>>8)&255, n&255)
}

// register signs a new user up on base; status is the HTTP answer.
func register(ctx context.Context, base, name string) (*browser, int, error) {
	jar, _ := cookiejar.New(nil)
	u := &browser{name: name, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	body, _ := json.Marshal(map[string]string{"username": name, "email": name + "@example.com", "password": "chaos-password-1"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/auth/register", bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", fakeIP())
	res, err := u.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return u, res.StatusCode, nil
}

// bulk submits n copies of img as one batch; it returns the batch id.
func (u *browser) bulk(ctx context.Context, base string, img []byte, n int) (string, []string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := range n {
		p, err := w.CreateFormFile("images", fmt.Sprintf("p%d.jpg", i))
		if err != nil {
			return "", nil, err
		}
		_, _ = p.Write(img)
	}
	_ = w.WriteField("tcg_slug", "pokemon")
	_ = w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/cards/recognize/bulk", &buf)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := u.http.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusAccepted {
		return "", nil, fmt.Errorf("bulk: %d %s", res.StatusCode, raw)
	}
	var out struct {
		BatchID string   `json:"batch_id"`
		ScanIDs []string `json:"scan_ids"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", nil, fmt.Errorf("bulk: %w", err)
	}
	return out.BatchID, out.ScanIDs, nil
}

// batchState counts a batch's scans by status, and rows per index (a
// duplicate would be an index with two rows).
type batchState struct {
	byStatus   map[string]int
	rows       int
	duplicates int
}

func (s batchState) finished() int { return s.byStatus["done"] + s.byStatus["failed"] }

func (c *cluster) batch(ctx context.Context, id string) (batchState, error) {
	st := batchState{byStatus: map[string]int{}}
	rows, err := c.db.Query(ctx, `SELECT status, count(*) FROM scans WHERE batch_id = $1 GROUP BY status`, id)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.byStatus[s] = n
		st.rows += n
	}
	rows.Close()
	err = c.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT batch_index FROM scans WHERE batch_id = $1
		GROUP BY batch_index HAVING count(*) > 1) d`, id).Scan(&st.duplicates)
	return st, err
}

// waitBatch polls until every scan of the batch finished or within passes.
func (c *cluster) waitBatch(ctx context.Context, id string, n int, within time.Duration) (batchState, error) {
	var st batchState
	err := waitFor(ctx, within, func() bool {
		var err error
		st, err = c.batch(ctx, id)
		return err == nil && st.finished() >= n
	})
	return st, err
}
