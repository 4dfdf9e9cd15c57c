package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/postgres/pgtest"
)

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// buildCSM builds the csm binary into a temporary directory. The binary
// links OpenCV, Tesseract and ONNX Runtime: without the native stack (run
// the tests through scripts/toolbox.sh exec) the build, and the test, fail.
func buildCSM(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "csm")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/collectorstash/csm/cmd/csm")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build csm (needs the native stack: scripts/toolbox.sh exec go test ./e2e/): %s", out)
	return bin
}

// startServe runs `csm serve` on addr with env and waits for /health.
func startServe(t *testing.T, bin, addr string, env []string) *lockedBuffer {
	t.Helper()
	logs := &lockedBuffer{}
	cmd := exec.Command(bin, "serve", "--addr", addr)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return logs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("csm serve on %s did not come up: %s", addr, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRateLimitAcrossProcesses starts two `csm serve` processes on one
// database and one Redis and fires a free key's requests at both at once:
// no more than the tier's 30 a minute succeed in total. It also signs in on
// one process and uses the cookie on the other, upgrades the account with
// `csm user set-tier`, and checks neither process logged a secret.
func TestRateLimitAcrossProcesses(t *testing.T) {
	t.Parallel()
	bin := buildCSM(t)
	_, schemaURL := pgtest.New(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	env := []string{
		"CSM_DATABASE_URL=" + schemaURL,
		"CSM_REDIS_ADDR=" + redisAddr(),
		"CSM_RATELIMIT_PREFIX=e2e:" + hex.EncodeToString(b) + ":",
		"CSM_SESSION_SECRET=e2e-session-secret-shared-by-both-processes",
		"CSM_DATA_DIR=" + t.TempDir(),
	}
	addrA, addrB := freeAddr(t), freeAddr(t)
	logsA := startServe(t, bin, addrA, env)
	logsB := startServe(t, bin, addrB, env)
	a, bURL := "http://"+addrA, "http://"+addrB

	call := func(method, url string, body any, hdr ...string) (int, http.Header, []byte) {
		var rd io.Reader
		if body != nil {
			j, _ := json.Marshal(body)
			rd = bytes.NewReader(j)
		}
		req, err := http.NewRequest(method, url, rd)
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, out
	}

	// sign up on A; the cookie works on B (shared secret, shared sessions)
	const password = "process-password-1"
	signedUp := time.Now() // the IP's one anonymous call so far
	st, h, body := call("POST", a+"/auth/register", map[string]any{"username": "twoproc", "email": "twoproc@example.com", "password": password})
	require.Equal(t, http.StatusCreated, st, "%s", body)
	var cookie string
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Name == "tcg_session" {
			cookie = ck.Value
		}
	}
	require.NotEmpty(t, cookie)
	st, _, body = call("POST", bURL+"/api/keys", map[string]any{"name": "k"}, "Cookie", "tcg_session="+cookie, "Origin", bURL)
	require.Equal(t, http.StatusCreated, st, "%s", body)
	var k struct {
		Key string `json:"key"`
	}
	require.NoError(t, json.Unmarshal(body, &k))

	// fire 80 requests with the free key (30/min), half at each process
	fire := func(n int, hdr ...string) (ok, limited int, took time.Duration) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		sem := make(chan struct{}, 16)
		for i := range n {
			url := a
			if i%2 == 1 {
				url = bURL
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				st, _, _ := call("GET", url+"/api/v2/games", nil, hdr...)
				mu.Lock()
				defer mu.Unlock()
				switch st {
				case http.StatusOK:
					ok++
				case http.StatusTooManyRequests:
					limited++
				default:
					t.Errorf("unexpected status %d", st)
				}
			})
		}
		wg.Wait()
		return ok, limited, time.Since(start)
	}
	ok, limited, took := fire(80, "Authorization", "Bearer "+k.Key)
	// GCRA: a burst of 30, then one every 2 s; allow for refills only if the
	// run took that long
	refills := int(took / (2 * time.Second))
	t.Logf("key: %d ok, %d limited in %s across two processes", ok, limited, took)
	require.LessOrEqual(t, ok, 30+refills, "the per-minute limit holds across processes")
	require.GreaterOrEqual(t, ok, 30)
	require.Equal(t, 80, ok+limited)

	// anonymous callers share one per-IP budget across processes too (one
	// anonymous call, the sign-up, is already spent)
	ok, limited, took = fire(60)
	t.Logf("anonymous: %d ok, %d limited in %s", ok, limited, took)
	most := 29 // the sign-up's token is back 2 s after it (a burst of 30 at most)
	if time.Since(signedUp) >= 2*time.Second {
		most = 30
	}
	require.LessOrEqual(t, ok, most)
	require.GreaterOrEqual(t, ok, 28)

	// the CLI upgrades the account; both processes see it on the next call
	cli := exec.Command(bin, "user", "set-tier", "twoproc", "starter")
	cli.Env = append(os.Environ(), env...)
	out, err := cli.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "twoproc: tier starter")
	for _, url := range []string{a, bURL} {
		st, h, body := call("GET", url+"/api/v2/games", nil, "X-API-Key", k.Key)
		require.Equal(t, http.StatusOK, st, "%s", body)
		require.Equal(t, "5000", h.Get("X-RateLimit-Limit"))
	}
	// each process leases its key budget in batches (ratelimit.Leased): a
	// token the other process took but has not served is counted until its
	// lease is given back, within the lease TTL (250 ms), so the count
	// settles at exactly the served calls
	require.Eventually(t, func() bool {
		st, _, body = call("GET", a+"/api/keys", nil, "Cookie", "tcg_session="+cookie)
		return st == http.StatusOK && strings.Contains(string(body), `"calls_today":32,`)
	}, 5*time.Second, 100*time.Millisecond, "30 + 2 allowed calls, counted once across both processes")

	// neither process logged a secret
	for _, logs := range []string{logsA.String(), logsB.String()} {
		require.Contains(t, logs, "request")
		for _, s := range []string{password, k.Key, cookie, "api_key="} {
			require.NotContains(t, logs, s)
		}
	}
}
