// Command chaos breaks a running deployment on purpose and prints what it
// lost (make chaos, inside the toolbox). On loopback only, bounded in time,
// it starts its OWN Postgres cluster and Redis (AOF on) on other ports than
// the shared services (below 32768: ports in the ephemeral range are taken
// now and then by outgoing connections, and a listener then fails to
// bind), two API processes and two worker processes sharing them, and runs
// these scenarios (after a check that sessions hold across the two API
// processes and a restart):
//
//  1. SIGKILL a worker with a bulk batch in flight: 0 scans lost, 0 run
//     into two results;
//  2. restart Redis with scans queued (workers paused): 0 lost — then the
//     same with the AOF file gone, which the worker's re-queue sweep must
//     repair from Postgres;
//  3. restart Postgres (pg_ctl restart -m fast) under read load by two
//     signed-in readers and a writer: 503 {"detail"} during the gap, never
//     500, no reader signed out, recovery under 5 s, no acknowledged write
//     lost.
//
// It exits 1 when an expectation fails.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type result struct {
	name string
	ok   bool
	figs []string
}

func main() { os.Exit(run()) }

func run() int {
	dir := flag.String("dir", "/tmp/csm-chaos", "working directory (wiped at start)")
	bin := flag.String("bin", "bin/csm", "the csm binary")
	pgPort := flag.Int("pg-port", 25442, "port of the chaos Postgres cluster")
	redisPort := flag.Int("redis-port", 26389, "port of the chaos Redis")
	apiPorts := flag.String("api-ports", "28101,28102", "ports of the two API processes")
	timeout := flag.Duration("timeout", 15*time.Minute, "bound of the whole run")
	images := flag.Int("images", 8, "photos per bulk batch")
	photo := flag.String("photo", "demo/photos/charizard.jpg", "the photo every scan sends")
	only := flag.String("only", "", "comma list of scenarios to run (sessions,kill-worker,redis,postgres); all when empty")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	c := &cluster{dir: *dir, pgPort: *pgPort, redisPort: *redisPort, pgBin: "/usr/lib/postgresql/17/bin", procs: map[string]*exec.Cmd{}}
	for _, p := range strings.Split(*apiPorts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return fail(fmt.Errorf("-api-ports: %w", err))
		}
		c.apiPorts = append(c.apiPorts, n)
	}
	if *pgPort == 55432 || *redisPort == 56379 {
		return fail(fmt.Errorf("chaos never runs on the shared services' ports (55432, 56379)"))
	}
	var err error
	if c.bin, err = filepath.Abs(*bin); err != nil {
		return fail(err)
	}
	img, err := os.ReadFile(*photo)
	if err != nil {
		return fail(err)
	}
	_ = os.RemoveAll(c.dir)
	if err := os.MkdirAll(filepath.Join(c.dir, "data"), 0o755); err != nil {
		return fail(err)
	}
	defer c.close()

	start := time.Now()
	step("own Postgres on 127.0.0.1:%d, Redis (AOF) on 127.0.0.1:%d, under %s", c.pgPort, c.redisPort, c.dir)
	if err := c.startPostgres(ctx); err != nil {
		return fail(err)
	}
	if err := c.startRedis(ctx); err != nil {
		return fail(err)
	}
	step("migrate, demo catalogue, index")
	for _, args := range [][]string{{"migrate"}, {"demo"}, {"index"}} {
		if err := c.csm(ctx, args...); err != nil {
			return fail(err)
		}
	}
	step("2 API processes (%s), 2 workers", *apiPorts)
	for i := range c.apiPorts {
		if err := c.startAPI(i); err != nil {
			return fail(err)
		}
	}
	for i := range 2 {
		if err := c.startWorker(i); err != nil {
			return fail(err)
		}
	}
	if err := c.waitHealthy(ctx); err != nil {
		return fail(err)
	}
	fmt.Printf("set-up took %s\n\n", time.Since(start).Round(100*time.Millisecond))

	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	run := func(name string) bool { return len(want) == 0 || want[name] }
	var results []result
	if run("sessions") {
		results = append(results, sessions(ctx, c))
	}
	if run("kill-worker") {
		results = append(results, killWorker(ctx, c, img, *images))
	}
	if run("redis") {
		results = append(results, restartRedis(ctx, c, img, *images, true))
		results = append(results, restartRedis(ctx, c, img, *images, false))
	}
	if run("postgres") {
		results = append(results, restartPostgres(ctx, c))
	}

	fmt.Println("\n== chaos figures")
	failed := false
	for _, r := range results {
		verdict := "PASS"
		if !r.ok {
			verdict, failed = "FAIL", true
		}
		fmt.Printf("%s  %s\n", verdict, r.name)
		for _, f := range r.figs {
			fmt.Printf("      %s\n", f)
		}
	}
	fmt.Printf("total %s (logs under %s)\n", time.Since(start).Round(time.Second), c.dir)
	if failed {
		return 1
	}
	return 0
}

func step(format string, args ...any) {
	fmt.Printf("-- "+format+"\n", args...)
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "chaos:", err)
	return 2
}
