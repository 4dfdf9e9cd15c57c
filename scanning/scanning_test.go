package scanning_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/photos"
	"github.com/collectorstash/csm/postgres"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/scanning"
	"github.com/collectorstash/csm/workers"
)

func redisAddr() string {
	if a := os.Getenv("CSM_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:56379"
}

// fixture is the service over a fresh schema, real Redis buses and a
// private queue no worker takes: the test plays the worker.
type fixture struct {
	db  *postgres.DB
	svc *scanning.Service
	evs *workers.ScanEvents
	bat *workers.ScanEvents
}

func setup(t *testing.T) fixture {
	t.Helper()
	db, _ := pgtest.New(t)
	q := workers.NewQueue(redisAddr())
	require.NoError(t, q.Ping(t.Context()), "redis must be running (make services)")
	q.QueueName = fmt.Sprintf("scanning-test-%d", time.Now().UnixNano())
	evs, bat := workers.NewScanEvents(redisAddr()), workers.NewBatchEvents(redisAddr())
	// Resync of an hour: a stream that moves does so on events, not polls
	svc := scanning.New(scanning.Config{Store: db, Queue: q, Events: evs, BatchEvents: bat, Wait: 100 * time.Millisecond,
		Resync: time.Hour, Photos: photos.New(filepath.Join(t.TempDir(), "photos"), []byte("s"), nil)})
	t.Cleanup(func() {
		_ = svc.Close()
		insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: redisAddr()})
		_ = insp.DeleteQueue(q.QueueName, true)
		_ = insp.Close()
		_ = q.Close()
		_ = evs.Close()
		_ = bat.Close()
	})
	return fixture{db: db, svc: svc, evs: evs, bat: bat}
}

func (f fixture) user(t *testing.T, name string) catalog.Principal {
	t.Helper()
	u, err := f.db.CreateUser(t.Context(), catalog.NewUser{Username: name, Email: name + "@example.com", PasswordHash: "x", CreatedAt: time.Now()})
	require.NoError(t, err)
	return catalog.Principal{Method: catalog.AuthSession, User: u, Tier: u.Tier}
}

func TestFinishScanUpdatesSessionCardsInOneTransaction(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := t.Context()
	owner := f.user(t, "owner")
	n, err := f.svc.CreateSession(ctx, owner)
	require.NoError(t, err)
	phone := scanning.Caller{Token: n.Token}
	_, err = f.svc.Claim(ctx, phone, n.Session.ID, func() (string, error) { return "Pixel", nil })
	require.NoError(t, err)
	ph, err := f.svc.UploadPhoto(ctx, phone, n.Session.ID, func() ([]byte, error) { return []byte("jpeg"), nil })
	require.NoError(t, err)

	events, stop, err := f.evs.Subscribe(ctx, n.Session.ID)
	require.NoError(t, err)
	defer stop()
	zero := ph.CardIndex
	cards, err := f.svc.PostResults(ctx, phone, n.Session.ID, func() ([]scanning.ResultCard, error) {
		return []scanning.ResultCard{{Index: &zero}}, nil
	})
	require.NoError(t, err)
	require.Len(t, cards, 1)
	require.Equal(t, catalog.ScanCardPending, cards[0].Status, "no worker yet: still pending after the wait")
	scanID := cards[0].ScanID
	require.NotEmpty(t, scanID)

	// the worker's side: begin, finish
	sc, fresh, err := f.svc.BeginScan(ctx, scanID)
	require.NoError(t, err)
	require.True(t, fresh)
	require.Equal(t, catalog.ScanRunning, sc.Status)
	res := &catalog.ScanResult{Candidates: []catalog.Candidate{{CardID: 7, Name: "Charizard"}}}
	require.NoError(t, f.svc.FinishScan(ctx, scanID, res, nil))

	// stored with the scan: the session shows it without any repair
	sess, err := f.db.ScanSession(ctx, n.Session.ID)
	require.NoError(t, err)
	require.Equal(t, catalog.ScanCardDone, sess.Cards[0].Status)
	var rec catalog.ScanResult
	require.NoError(t, json.Unmarshal(sess.Cards[0].Recognition, &rec))
	require.Equal(t, scanID, rec.ScanID)
	require.Equal(t, int64(7), rec.Candidates[0].CardID)

	select {
	case ev := <-events:
		require.Equal(t, catalog.ScanEventResult, ev.Event)
		require.Contains(t, string(ev.Data), `"card_id":7`)
	case <-time.After(10 * time.Second):
		t.Fatal("no result event")
	}

	// a second finish (a duplicate delivery) changes nothing and says nothing
	require.NoError(t, f.svc.FinishScan(ctx, scanID, nil, catalog.Errorf(catalog.EINVALID, "late")))
	again, err := f.db.Scan(ctx, scanID)
	require.NoError(t, err)
	require.Equal(t, catalog.ScanDone, again.Status)
	select {
	case ev := <-events:
		t.Fatalf("unexpected event %s", ev.Event)
	case <-time.After(300 * time.Millisecond):
	}

	// the view signs the photo; the owner's view, another user's refusal
	v, err := f.svc.Session(ctx, scanning.Caller{Principal: owner}, n.Session.ID)
	require.NoError(t, err)
	require.Contains(t, v.Results[0].ImageURL, "sig=")
	_, err = f.svc.Session(ctx, scanning.Caller{Principal: f.user(t, "other")}, n.Session.ID)
	require.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))
}

func TestFollowBatchMovesOnEvents(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	owner := f.user(t, "bulk")
	b, err := f.svc.SubmitBatch(ctx, owner, [][]byte{[]byte("a"), []byte("b"), []byte("c")}, "", false)
	require.NoError(t, err)
	_, err = f.svc.Batch(ctx, f.user(t, "stranger"), b.ID)
	require.Equal(t, catalog.EFORBIDDEN, catalog.ErrorCode(err))

	type ev struct {
		name string
		data any
	}
	got := make(chan ev, 32)
	done := make(chan error, 1)
	go func() {
		done <- f.svc.FollowBatch(ctx, owner, b.ID, func(e string, d any) bool { got <- ev{e, d}; return true })
	}()
	first := <-got
	require.Equal(t, scanning.BulkProgress, first.name)

	// finish out of order: results still come in submission order, each
	// as soon as its event arrives (the resync is an hour away)
	finish := func(i int) {
		_, _, err := f.svc.BeginScan(ctx, b.Scans[i].ID)
		require.NoError(t, err)
		require.NoError(t, f.svc.FinishScan(ctx, b.Scans[i].ID, &catalog.ScanResult{}, nil))
	}
	finish(1)
	require.Equal(t, scanning.BulkProgress, (<-got).name)
	finish(0)
	var order []string
	for len(order) < 2 {
		e := <-got
		if e.name == scanning.BulkResult {
			order = append(order, e.data.(scanning.BatchItem).ScanID)
		}
	}
	require.Equal(t, []string{b.Scans[0].ID, b.Scans[1].ID}, order)
	finish(2)
	var last ev
	for last.name != scanning.BulkCompleted {
		select {
		case last = <-got:
		case <-ctx.Done():
			t.Fatal("batch never completed")
		}
	}
	require.NoError(t, <-done)
}

func TestCloseEndsWaitsAndStreams(t *testing.T) {
	t.Parallel()
	f := setup(t)
	owner := f.user(t, "closer")
	b, err := f.svc.SubmitBatch(t.Context(), owner, [][]byte{[]byte("a")}, "", false)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		done <- f.svc.FollowBatch(context.Background(), owner, b.ID, func(string, any) bool { return true })
	}()
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, f.svc.Close())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the stream outlived the service")
	}
}
