package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/demo"
	"github.com/collectorstash/csm/postgres/pgtest"
	"github.com/collectorstash/csm/realtime"
)

// wsConn is a test WebSocket client. It reads the socket all the time on a
// goroutine of its own, so it answers the server's protocol pings however
// long the test leaves it unread (an idle client that does not is dropped
// after two and a half heartbeats, and its connection slot freed).
type wsConn struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan wsRead
}

type wsRead struct {
	b   []byte
	err error
}

func wsDial(t *testing.T, httpURL string, hdr ...string) *wsConn {
	t.Helper()
	h := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(httpURL, "http"), &websocket.DialOptions{HTTPHeader: h})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ws.CloseNow() })
	c := &wsConn{t: t, ws: ws, frames: make(chan wsRead, 1024)}
	go func() {
		for {
			_, b, err := ws.Read(context.Background()) // never cancelled: that would close the socket
			if err != nil {
				c.frames <- wsRead{err: err}
				close(c.frames)
				return
			}
			select {
			case c.frames <- wsRead{b: b}:
			default: // nobody reads: drop rather than stop answering pings
			}
		}
	}()
	return c
}

func (c *wsConn) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(c.t, c.ws.Write(ctx, websocket.MessageText, b))
}

// wsWait bounds expect and closeCode: heartbeat pings alone never end them.
const wsWait = 10 * time.Second

// frame returns the next frame (pings included) before deadline.
func (c *wsConn) frame(deadline time.Time, what string) ([]byte, error) {
	c.t.Helper()
	left := time.Until(deadline)
	require.Positive(c.t, left, "no %s within %s", what, wsWait)
	tm := time.NewTimer(left)
	defer tm.Stop()
	select {
	case r, ok := <-c.frames:
		if !ok {
			return nil, net.ErrClosed
		}
		return r.b, r.err
	case <-tm.C:
		require.FailNow(c.t, "timeout", "no %s within %s", what, wsWait)
		return nil, nil
	}
}

// expect returns the next frame that is not a ping and checks its type.
func (c *wsConn) expect(typ string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(wsWait)
	for {
		b, err := c.frame(deadline, typ+" frame")
		require.NoError(c.t, err)
		var f map[string]any
		require.NoError(c.t, json.Unmarshal(b, &f))
		if f["type"] == "ping" {
			continue
		}
		require.Equal(c.t, typ, f["type"], "%s", b)
		return f
	}
}

// closeCode reads until the server closes the socket and returns the code.
func (c *wsConn) closeCode() websocket.StatusCode {
	c.t.Helper()
	deadline := time.Now().Add(wsWait)
	for {
		if _, err := c.frame(deadline, "close frame"); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

// TestStreamAcrossProcesses starts two `csm serve` processes on one
// database and one Redis: clients of either receive the price_update that
// WritePrices publishes (card, set and tcg topics), the 20-connection
// limit of a key holds across both, and the seed's tier rule (Pro) holds.
func TestStreamAcrossProcesses(t *testing.T) {
	t.Parallel()
	bin := buildCSM(t)
	db, schemaURL := pgtest.New(t)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	_, err := demo.Load(ctx, db, db, demo.Options{Today: today, Days: 1})
	require.NoError(t, err)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	tag := hex.EncodeToString(b)
	prefix := "e2e:rt:" + tag + ":"
	env := []string{
		"CSM_DATABASE_URL=" + schemaURL,
		"CSM_REDIS_ADDR=" + redisAddr(),
		"CSM_RATELIMIT_PREFIX=e2e:" + tag + ":",
		"CSM_REALTIME_PREFIX=" + prefix,
		"CSM_STREAM_HEARTBEAT=1s",
		"CSM_SESSION_SECRET=e2e-session-secret-shared-by-both-processes",
		"CSM_DATA_DIR=" + t.TempDir(),
	}
	addrA, addrB := freeAddr(t), freeAddr(t)
	startServe(t, bin, addrA, env)
	startServe(t, bin, addrB, env)
	a, bURL := "http://"+addrA, "http://"+addrB

	// a Pro account with a key (tier set with the CLI)
	post := func(url string, body any, hdr ...string) (*http.Response, []byte) {
		j, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(j))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res, out
	}
	res, body := post(a+"/auth/register", map[string]any{"username": "streamer", "email": "streamer@example.com", "password": "stream-password-1"})
	require.Equal(t, http.StatusCreated, res.StatusCode, "%s", body)
	var cookie string
	for _, ck := range res.Cookies() {
		if ck.Name == "tcg_session" {
			cookie = ck.Value
		}
	}
	cli := exec.Command(bin, "user", "set-tier", "streamer", "pro")
	cli.Env = append(os.Environ(), env...)
	out, err := cli.CombinedOutput()
	require.NoError(t, err, "%s", out)
	res, body = post(bURL+"/api/keys", map[string]any{"name": "stream"}, "Cookie", "tcg_session="+cookie, "Origin", bURL)
	require.Equal(t, http.StatusCreated, res.StatusCode, "%s", body)
	var k struct {
		Key string `json:"key"`
	}
	require.NoError(t, json.Unmarshal(body, &k))

	// a demo card variant to price
	var variantID, cardID, setID int64
	var slug, finish string
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT v.id, v.card_id, c.set_id, g.slug, v.finish FROM variants v
		JOIN cards c ON c.id = v.card_id JOIN games g ON g.id = c.game_id ORDER BY v.id LIMIT 1`).
		Scan(&variantID, &cardID, &setID, &slug, &finish))

	onA := wsDial(t, a+"/api/v1/stream?api_key="+k.Key)
	onA.expect("welcome")
	onA.send(map[string]any{"type": "subscribe", "topics": []string{catalog.CardTopic(cardID), "market:movers"}})
	onA.expect("subscribed")
	onA.expect("subscribed")
	onB := wsDial(t, bURL+"/api/v1/stream?api_key="+k.Key)
	onB.expect("welcome")
	onB.send(map[string]any{"type": "subscribe", "topics": []string{catalog.SetTopic(setID), catalog.TCGTopic(slug)}})
	onB.expect("subscribed")
	onB.expect("subscribed")
	anon := wsDial(t, bURL+"/ws/v1")
	require.Equal(t, false, anon.expect("welcome")["authenticated"])
	anon.send(map[string]any{"type": "subscribe", "topic": catalog.CardTopic(cardID)})
	anon.expect("subscribed")
	time.Sleep(100 * time.Millisecond) // both processes' SUBSCRIBEs reach Redis

	// the importer path: WritePrices publishes after commit
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr()})
	t.Cleanup(func() { _ = rdb.Close() })
	db.Events = realtime.NewPublisher(rdb, prefix)
	start := time.Now()
	_, err = db.WritePrices(ctx, []catalog.ImportPrice{{Ref: catalog.PriceRef{VariantID: variantID}, Source: "tcgplayer",
		Region: catalog.RegionUS, PriceType: "market", Currency: "USD", AmountMinor: 123456, AsOf: today.AddDate(0, 0, 1)}})
	require.NoError(t, err)
	want := map[string]any{"card_id": float64(cardID), "set_id": float64(setID), "tcg": slug, "source": "tcgplayer",
		"variant": finish, "market_price": 1234.56, "currency": "USD", "as_of": today.AddDate(0, 0, 1).Format(time.DateOnly)}
	for _, c := range []struct {
		c     *wsConn
		topic string
	}{{onA, catalog.CardTopic(cardID)}, {onB, ""}, {onB, ""}, {anon, catalog.CardTopic(cardID)}} {
		f := c.c.expect("price_update")
		if c.topic != "" {
			require.Equal(t, c.topic, f["topic"])
		}
		require.Equal(t, want, f["data"])
	}
	t.Logf("price_update reached 4 subscriptions on 2 processes in %s", time.Since(start))

	// 20 connections per key across both processes; the 21st gets 1013
	for i := range 18 {
		url := a
		if i%2 == 0 {
			url = bURL
		}
		wsDial(t, url+"/api/v1/stream?api_key="+k.Key).expect("welcome")
	}
	require.Equal(t, websocket.StatusCode(catalog.CloseTryAgainLater), wsDial(t, a+"/api/v1/stream?api_key="+k.Key).closeCode())
	// no key: 4401; the cookie's account is Pro but /api/v1/stream wants a key
	require.Equal(t, websocket.StatusCode(catalog.CloseAPIKeyRequired),
		wsDial(t, bURL+"/api/v1/stream", "Cookie", "tcg_session="+cookie).closeCode())

	// the helper script ships with the binary
	r, err := http.Get(bURL + "/static/js/csm-realtime.js")
	require.NoError(t, err)
	js, _ := io.ReadAll(r.Body)
	r.Body.Close()
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, string(js), "CSMRealtime")
}
