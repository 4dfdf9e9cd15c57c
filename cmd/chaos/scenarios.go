package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

var userSeq int

func newUser(ctx context.Context, c *cluster, api int, prefix string) (*browser, error) {
	userSeq++
	name := fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), userSeq)
	u, status, err := register(ctx, c.apiURL(api), name)
	if err != nil {
		return nil, err
	}
	if status != http.StatusCreated {
		return nil, fmt.Errorf("register %s: %d", name, status)
	}
	return u, nil
}

// killWorker: a bulk batch is submitted; once scans are running, worker0
// is SIGKILLed (and started again, as a supervisor would). Every scan must
// finish exactly once.
func killWorker(ctx context.Context, c *cluster, img []byte, n int) result {
	r := result{name: fmt.Sprintf("SIGKILL a worker with a bulk batch of %d in flight", n)}
	step("%s", r.name)
	u, err := newUser(ctx, c, 0, "kill")
	if err != nil {
		return r.failed(err)
	}
	t0 := time.Now()
	id, _, err := u.bulk(ctx, c.apiURL(0), img, n)
	if err != nil {
		return r.failed(err)
	}
	if err := waitFor(ctx, 2*time.Minute, func() bool {
		st, err := c.batch(ctx, id)
		return err == nil && st.byStatus["running"] >= 1
	}); err != nil {
		return r.failed(fmt.Errorf("no scan started: %w", err))
	}
	time.Sleep(300 * time.Millisecond)
	before, _ := c.batch(ctx, id)
	if err := c.signal("worker0", syscall.SIGKILL); err != nil {
		return r.failed(err)
	}
	tKill := time.Now()
	time.Sleep(500 * time.Millisecond)
	if err := c.startWorker(0); err != nil {
		return r.failed(err)
	}
	st, err := c.waitBatch(ctx, id, n, 4*time.Minute)
	lost := n - st.finished()
	r.ok = err == nil && lost == 0 && st.duplicates == 0 && st.rows == n
	r.figs = append(r.figs,
		fmt.Sprintf("at the kill: %d running, %d finished of %d", before.byStatus["running"], before.finished(), n),
		fmt.Sprintf("lost %d, duplicated %d (rows %d for %d photos; done %d, failed %d)", lost, st.duplicates, st.rows, n,
			st.byStatus["done"], st.byStatus["failed"]),
		fmt.Sprintf("batch finished %s after submit, %s after the kill", time.Since(t0).Round(100*time.Millisecond),
			time.Since(tKill).Round(100*time.Millisecond)))
	if err != nil {
		r.figs = append(r.figs, "error: "+err.Error())
	}
	return r
}

// restartRedis: workers paused (SIGSTOP), a batch queued, Redis SIGKILLed
// and started again on the same directory (keepAOF) or on an empty one
// (the queue is lost: the worker's sweep must re-queue from Postgres).
func restartRedis(ctx context.Context, c *cluster, img []byte, n int, keepAOF bool) result {
	r := result{name: fmt.Sprintf("restart Redis (SIGKILL, AOF on) with %d scans queued", n)}
	if !keepAOF {
		r.name = fmt.Sprintf("restart Redis with its AOF deleted (queue lost) with %d scans queued", n)
	}
	step("%s", r.name)
	u, err := newUser(ctx, c, 1, "redis")
	if err != nil {
		return r.failed(err)
	}
	for _, w := range []string{"worker0", "worker1"} {
		if err := c.signal(w, syscall.SIGSTOP); err != nil {
			return r.failed(err)
		}
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			_ = c.signal("worker0", syscall.SIGCONT)
			_ = c.signal("worker1", syscall.SIGCONT)
		}
	}
	defer resume()
	id, _, err := u.bulk(ctx, c.apiURL(1), img, n)
	if err != nil {
		return r.failed(err)
	}
	queuedBefore, _ := c.rdb.LLen(ctx, "asynq:{scans}:pending").Result()
	time.Sleep(1100 * time.Millisecond) // past appendfsync everysec
	c.killRedis()
	if !keepAOF {
		if err := os.RemoveAll(c.redisDir()); err != nil {
			return r.failed(err)
		}
	}
	tDown := time.Now()
	if err := c.startRedis(ctx); err != nil {
		return r.failed(err)
	}
	redisGap := time.Since(tDown)
	queuedAfter, _ := c.rdb.LLen(ctx, "asynq:{scans}:pending").Result()
	resume()
	tUp := time.Now()
	st, err := c.waitBatch(ctx, id, n, 4*time.Minute)
	lost := n - st.finished()
	r.ok = err == nil && lost == 0 && st.duplicates == 0
	if keepAOF {
		r.ok = r.ok && queuedAfter == queuedBefore
	}
	r.figs = append(r.figs,
		fmt.Sprintf("queued in Redis: %d before the kill, %d after the restart (Redis back in %s)", queuedBefore, queuedAfter,
			redisGap.Round(10*time.Millisecond)),
		fmt.Sprintf("re-queued from Postgres by the sweep: %d", max(0, int64(n)-queuedAfter)),
		fmt.Sprintf("lost %d, duplicated %d (done %d, failed %d); all finished %s after the workers resumed", lost, st.duplicates,
			st.byStatus["done"], st.byStatus["failed"], time.Since(tUp).Round(100*time.Millisecond)))
	if err != nil {
		r.figs = append(r.figs, "error: "+err.Error())
	}
	return r
}

// sample is one reader request's outcome.
type sample struct {
	at        time.Time
	status    int
	detail    bool // an error body of the {"detail": …} shape
	cleared   bool // the response cleared tcg_session
	transport bool // no HTTP answer at all
}

// restartPostgres: two signed-in readers (one per API process) and a
// writer registering users; pg_ctl restart -m fast in the middle.
func restartPostgres(ctx context.Context, c *cluster) result {
	r := result{name: "restart Postgres (pg_ctl restart -m fast) under read load by 2 signed-in readers + 1 writer"}
	step("%s", r.name)
	var readers []*browser
	for i := range 2 {
		u, err := newUser(ctx, c, i, "reader")
		if err != nil {
			return r.failed(err)
		}
		readers = append(readers, u)
	}
	// the card the readers read, straight from the store (no response cache)
	var cardID int64
	if err := c.db.QueryRow(ctx, `SELECT id FROM cards ORDER BY id LIMIT 1`).Scan(&cardID); err != nil {
		return r.failed(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	samples := make([][]sample, len(readers))
	for i, u := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			samples[i] = readLoop(runCtx, u, c.apiURL(i), cardID)
		}()
	}
	var acked []string
	var writeStatus = map[int]int{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := 0; runCtx.Err() == nil; k++ {
			name := fmt.Sprintf("writer-%d-%d", os.Getpid(), k)
			_, status, err := register(runCtx, c.apiURL(k), name)
			if err == nil {
				writeStatus[status]++
				if status == http.StatusCreated {
					acked = append(acked, name)
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	time.Sleep(2 * time.Second)
	tDown := time.Now()
	restartErr := c.restartPostgres(ctx)
	tUp := time.Now()
	time.Sleep(8 * time.Second)
	stop()
	wg.Wait()
	if restartErr != nil {
		return r.failed(restartErr)
	}

	counts := map[int]int{}
	var n500, n503, n503detail, cleared, signedOut, transport int
	var worstRecovery time.Duration
	var firstBad, lastBad time.Time
	for _, ss := range samples {
		lastBadHere := time.Time{}
		var recovered time.Time
		for _, s := range ss {
			switch {
			case s.transport:
				transport++
			default:
				counts[s.status]++
			}
			if s.cleared {
				cleared++
			}
			switch s.status {
			case http.StatusInternalServerError:
				n500++
			case http.StatusServiceUnavailable:
				n503++
				if s.detail {
					n503detail++
				}
			case http.StatusUnauthorized, http.StatusTooManyRequests:
				signedOut++
			}
			if s.status != http.StatusOK {
				lastBadHere = s.at
				if firstBad.IsZero() || s.at.Before(firstBad) {
					firstBad = s.at
				}
				if s.at.After(lastBad) {
					lastBad = s.at
				}
				recovered = time.Time{}
			} else if !lastBadHere.IsZero() && recovered.IsZero() {
				recovered = s.at
			}
		}
		if !lastBadHere.IsZero() {
			if recovered.IsZero() {
				worstRecovery = time.Hour // never recovered
			} else if d := recovered.Sub(tUp); d > worstRecovery {
				worstRecovery = d
			}
		}
	}
	// the readers are still signed in
	stillIn := 0
	for i, u := range readers {
		res, err := u.http.Get(c.apiURL(i) + "/auth/me")
		if err == nil {
			if res.StatusCode == http.StatusOK {
				stillIn++
			}
			_ = res.Body.Close()
		}
	}
	// every acknowledged registration is in the database
	var found int
	if err := c.db.QueryRow(ctx, `SELECT count(*) FROM users WHERE username = ANY($1)`, acked).Scan(&found); err != nil {
		return r.failed(err)
	}
	lostWrites := len(acked) - found

	statuses := make([]string, 0, len(counts))
	for st, k := range counts {
		statuses = append(statuses, fmt.Sprintf("%d×%d", k, st))
	}
	sort.Strings(statuses)
	wstat := make([]string, 0, len(writeStatus))
	for st, k := range writeStatus {
		wstat = append(wstat, fmt.Sprintf("%d×%d", k, st))
	}
	sort.Strings(wstat)
	r.ok = n500 == 0 && n503 == n503detail && cleared == 0 && signedOut == 0 && stillIn == len(readers) &&
		worstRecovery < 5*time.Second && lostWrites == 0 && transport == 0
	r.figs = append(r.figs,
		fmt.Sprintf("pg_ctl restart took %s", tUp.Sub(tDown).Round(10*time.Millisecond)),
		fmt.Sprintf("reader answers: %s; transport errors %d", strings.Join(statuses, ", "), transport),
		fmt.Sprintf("500: %d; 503: %d (with {\"detail\"}: %d); 401/429: %d; cookies cleared: %d; readers still signed in: %d/%d",
			n500, n503, n503detail, signedOut, cleared, stillIn, len(readers)),
		fmt.Sprintf("recovery (Postgres accepting again → reader's first 200): %s (target < 5 s)", fmtRecovery(worstRecovery)),
		fmt.Sprintf("writes: %s; acknowledged %d, lost %d", strings.Join(wstat, ", "), len(acked), lostWrites))
	if !firstBad.IsZero() {
		r.figs = append(r.figs, fmt.Sprintf("non-200 window: %s after the restart began to %s after Postgres was back",
			firstBad.Sub(tDown).Round(10*time.Millisecond), lastBad.Sub(tUp).Round(10*time.Millisecond)))
	}
	return r
}

func fmtRecovery(d time.Duration) string {
	if d == time.Hour {
		return "never"
	}
	if d <= 0 {
		return "immediate"
	}
	return d.Round(10 * time.Millisecond).String()
}

// readLoop reads /auth/me and the card alternately until ctx ends.
func readLoop(ctx context.Context, u *browser, base string, cardID int64) []sample {
	var out []sample
	for k := 0; ctx.Err() == nil; k++ {
		path := "/auth/me"
		if k%2 == 1 {
			path = fmt.Sprintf("/api/v2/cards/%d?chaos=%d", cardID, k) // a fresh query: not from the response cache
		}
		s := sample{at: time.Now()}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		res, err := u.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			s.transport = true
			out = append(out, s)
			time.Sleep(20 * time.Millisecond)
			continue
		}
		s.status = res.StatusCode
		raw, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK {
			var body map[string]any
			if json.Unmarshal(raw, &body) == nil {
				_, s.detail = body["detail"]
			}
		}
		for _, ck := range res.Cookies() {
			if ck.Name == "tcg_session" && (ck.MaxAge < 0 || ck.Value == "") {
				s.cleared = true
			}
		}
		out = append(out, s)
		time.Sleep(20 * time.Millisecond)
	}
	return out
}

func (r result) failed(err error) result {
	r.ok = false
	r.figs = append(r.figs, "error: "+err.Error())
	return r
}

// sessions: a cookie signed by one API process is accepted by the other,
// and still after that process restarts (the generated session secret is
// kept in Postgres).
func sessions(ctx context.Context, c *cluster) result {
	r := result{name: "sessions across the 2 API processes and across a restart of one"}
	step("%s", r.name)
	u, err := newUser(ctx, c, 0, "session")
	if err != nil {
		return r.failed(err)
	}
	me := func(api int) int {
		res, err := u.http.Get(c.apiURL(api) + "/auth/me")
		if err != nil {
			return 0
		}
		_ = res.Body.Close()
		return res.StatusCode
	}
	other := me(1)
	if err := c.signal("api0", syscall.SIGTERM); err != nil {
		return r.failed(err)
	}
	t0 := time.Now()
	if err := waitFor(ctx, 30*time.Second, func() bool { return c.procs["api0"].Process.Signal(syscall.Signal(0)) != nil }); err != nil {
		return r.failed(fmt.Errorf("api0 did not stop: %w", err))
	}
	if err := c.startAPI(0); err != nil {
		return r.failed(err)
	}
	if err := c.waitHealthy(ctx); err != nil {
		return r.failed(err)
	}
	restarted := me(0)
	r.ok = other == http.StatusOK && restarted == http.StatusOK
	r.figs = append(r.figs,
		fmt.Sprintf("cookie from api0 on api1: %d; on api0 after its restart (%s): %d", other,
			time.Since(t0).Round(100*time.Millisecond), restarted))
	return r
}
