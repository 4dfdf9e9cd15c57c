package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/stretchr/testify/require"

	"github.com/collectorstash/csm/metrics"
)

func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	opt := asynq.RedisClientOpt{Addr: redisAddr()}
	insp := asynq.NewInspector(opt)
	t.Cleanup(func() { _ = insp.Close() })
	require.NoError(t, m.Register(metrics.NewQueueCollector(insp, nil)))
	f := setupAccounts(t, acctOptions{metrics: m})

	// a queue with one pending task
	queue := "apitest-metrics-" + strings.Trim(f.prefix, ":")
	cl := asynq.NewClient(opt)
	_, err := cl.Enqueue(asynq.NewTask("test:noop", nil), asynq.Queue(queue))
	require.NoError(t, err)
	_ = cl.Close()
	t.Cleanup(func() { _ = insp.DeleteQueue(queue, true) })

	anon := f.anon()
	require.Equal(t, http.StatusOK, anon.do(http.MethodGet, "/api/v2/games", nil).status)
	require.Equal(t, http.StatusNotFound, anon.do(http.MethodGet, "/api/v2/cards/999999999", nil).status)
	require.Equal(t, http.StatusNotFound, anon.do(http.MethodGet, "/no/such/route", nil).status)

	r := anon.do(http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, r.status)
	body := string(r.body)
	for _, series := range []string{
		`csm_http_request_duration_seconds_bucket{method="GET",route="/api/v2/games",status="200",le="0.005"}`,
		`csm_http_request_duration_seconds_count{method="GET",route="/api/v2/cards/:id",status="404"} 1`,
		`csm_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`csm_ratelimit_decisions_total{budget="minute",decision="allowed"}`,
		`csm_queue_up 1`,
		fmt.Sprintf(`csm_queue_tasks{queue=%q,state="pending"} 1`, queue),
		fmt.Sprintf(`csm_queue_processed_total{queue=%q} 0`, queue),
		`go_goroutines`,
	} {
		require.Contains(t, body, series)
	}

	// the limiter's refusals are counted too
	for range 70 {
		if anon.do(http.MethodGet, "/api/v2/games", nil).status == http.StatusTooManyRequests {
			break
		}
	}
	require.Contains(t, string(anon.do(http.MethodGet, "/metrics", nil).body), `csm_ratelimit_decisions_total{budget="minute",decision="refused"}`)
}

func TestMetricsScanStages(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.ObserveScan(map[string]float64{"decode": 3, "embed": 40, "total": 120}, "done")
	f := setupAccounts(t, acctOptions{metrics: m, noLimiter: true})
	body := string(f.anon().do(http.MethodGet, "/metrics", nil).body)
	require.Contains(t, body, `csm_scan_stage_duration_seconds_bucket{stage="embed",le="0.05"} 1`)
	require.Contains(t, body, `csm_scan_stage_duration_seconds_sum{stage="total"} 0.12`)
	require.Contains(t, body, `csm_scan_tasks_total{status="done"} 1`)
}

func TestQueueUIForAdminsOnly(t *testing.T) {
	t.Parallel()
	ui := asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: asynq.RedisClientOpt{Addr: redisAddr()}, ReadOnly: true})
	t.Cleanup(func() { _ = ui.Close() })
	f := setupAccounts(t, acctOptions{queueUI: ui, noLimiter: true})

	r := f.anon().do(http.MethodGet, "/admin/queues", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.NotEmpty(t, r.detail())
	user := f.register(uniqueName("user"))
	r = user.do(http.MethodGet, "/admin/queues", nil)
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "Admin only", r.detail())
	require.Equal(t, http.StatusForbidden, user.do(http.MethodGet, "/admin/queues/api/queues", nil).status)

	admin := f.admin()
	r = admin.do(http.MethodGet, "/admin/queues", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.header.Get("Content-Type"), "text/html")
	r = admin.do(http.MethodGet, "/admin/queues/api/queues", nil)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `"queues"`)
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	f := setupAccounts(t, acctOptions{noLimiter: true})
	c := f.anon()

	r := c.do(http.MethodGet, "/api/v2/games", nil, "X-Request-ID", "req-abc.123:x")
	require.Equal(t, "req-abc.123:x", r.header.Get("X-Request-ID"))
	r = c.do(http.MethodGet, "/api/v2/games/nope", nil)
	generated := r.header.Get("X-Request-ID")
	require.Regexp(t, `^[0-9a-f]{32}$`, generated)
	r = c.do(http.MethodGet, "/health", nil, "X-Request-ID", "bad id\" injected=1")
	replaced := r.header.Get("X-Request-ID")
	require.Regexp(t, `^[0-9a-f]{32}$`, replaced, "an implausible id is replaced")

	// every line of a request carries its id (the request line; a failed
	// request's error line too)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(f.logs.String(), "request_id="+replaced) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	logs := f.logs.String()
	for _, id := range []string{"req-abc.123:x", generated, replaced} {
		line := regexp.MustCompile(`(?m)^.*msg=request .*request_id=` + regexp.QuoteMeta(id) + `.*$`).FindString(logs)
		require.NotEmpty(t, line, "request line of %s in:\n%s", id, logs)
	}
	require.NotContains(t, logs, "injected=1")
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if strings.Contains(line, "msg=request ") {
			require.Contains(t, line, "request_id=", line)
		}
	}
}
