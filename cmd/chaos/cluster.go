package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// cluster is the chaos run's own Postgres cluster, Redis instance and csm
// processes, all on loopback, under dir. Nothing of the shared services
// (55432 / 56379) is touched.
type cluster struct {
	dir       string
	bin       string
	pgPort    int
	redisPort int
	apiPorts  []int
	pgBin     string

	pgUID, pgGID uint32
	redis        *exec.Cmd
	procs        map[string]*exec.Cmd
	db           *pgxpool.Pool
	rdb          *redis.Client
}

func (c *cluster) dbURL() string {
	return fmt.Sprintf("postgres://csm:csm@127.0.0.1:%d/csm?sslmode=disable", c.pgPort)
}

func (c *cluster) apiURL(i int) string {
	return fmt.Sprintf("http://127.0.0.1:%d", c.apiPorts[i%len(c.apiPorts)])
}

// env is the csm processes' environment: the parent's without CSM_*, plus
// this cluster's settings.
func (c *cluster) env() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CSM_") && !strings.HasPrefix(kv, "SESSION_SECRET=") {
			out = append(out, kv)
		}
	}
	return append(out,
		"CSM_DATABASE_URL="+c.dbURL(),
		fmt.Sprintf("CSM_REDIS_URL=redis://127.0.0.1:%d/0", c.redisPort),
		"CSM_DATA_DIR="+filepath.Join(c.dir, "data"),
		"CSM_TRUSTED_PROXIES=127.0.0.1",
		"CSM_REQUEUE_AFTER=5s",
		"CSM_RECOGNIZER_THREADS=1",
	)
}

// asPostgres runs a Postgres binary as the postgres user.
func (c *cluster) asPostgres(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.pgBin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: c.pgUID, Gid: c.pgGID}}
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func (c *cluster) pgData() string { return filepath.Join(c.dir, "pg") }

// startPostgres makes a fresh cluster (initdb) and starts it.
func (c *cluster) startPostgres(ctx context.Context) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("postgres user: %w (run inside the toolbox)", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	c.pgUID, c.pgGID = uint32(uid), uint32(gid)
	for _, d := range []string{c.dir, c.pgData(), filepath.Join(c.dir, "pgsock")} { // c.dir: pg.log
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
		if err := os.Chown(d, uid, gid); err != nil {
			return err
		}
	}
	if err := c.asPostgres(ctx, "initdb", "-D", c.pgData(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		return err
	}
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nmax_connections = 200\nshared_buffers = 128MB\n",
		c.pgPort, filepath.Join(c.dir, "pgsock"))
	f, err := os.OpenFile(filepath.Join(c.pgData(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(conf)
	_ = f.Close()
	if err != nil {
		return err
	}
	if err := c.asPostgres(ctx, "pg_ctl", "-D", c.pgData(), "-l", filepath.Join(c.dir, "pg.log"), "-w", "-t", "60", "start"); err != nil {
		return err
	}
	admin, err := pgxpool.New(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.pgPort))
	if err != nil {
		return err
	}
	defer admin.Close()
	for _, q := range []string{`CREATE ROLE csm LOGIN SUPERUSER PASSWORD 'csm'`, `CREATE DATABASE csm OWNER csm`} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	c.db, err = pgxpool.New(ctx, c.dbURL())
	return err
}

// restartPostgres is `pg_ctl restart -m fast`: every connection is cut.
func (c *cluster) restartPostgres(ctx context.Context) error {
	return c.asPostgres(ctx, "pg_ctl", "-D", c.pgData(), "-l", filepath.Join(c.dir, "pg.log"), "-m", "fast", "-w", "-t", "60", "restart")
}

func (c *cluster) stopPostgres() {
	_ = c.asPostgres(context.Background(), "pg_ctl", "-D", c.pgData(), "-m", "immediate", "-w", "stop")
}

func (c *cluster) redisDir() string { return filepath.Join(c.dir, "redis") }

// startRedis runs redis-server in the foreground (a child we can SIGKILL)
// with AOF on, as the toolbox and compose do.
func (c *cluster) startRedis(ctx context.Context) error {
	if err := os.MkdirAll(c.redisDir(), 0o700); err != nil {
		return err
	}
	c.redis = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", strconv.Itoa(c.redisPort),
		"--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--dir", c.redisDir(),
		"--logfile", filepath.Join(c.dir, "redis.log"))
	if err := c.redis.Start(); err != nil {
		return fmt.Errorf("redis-server: %w", err)
	}
	if c.rdb == nil {
		c.rdb = redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", c.redisPort)})
	}
	return waitFor(ctx, 20*time.Second, func() bool { return c.rdb.Ping(ctx).Err() == nil })
}

// killRedis SIGKILLs redis-server (no chance to flush anything more).
func (c *cluster) killRedis() {
	if c.redis != nil && c.redis.Process != nil {
		_ = c.redis.Process.Kill()
		_ = c.redis.Wait()
	}
}

// csm runs a one-shot csm command (migrate, demo, index).
func (c *cluster) csm(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = c.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("csm %s: %w\n%s", strings.Join(args, " "), err, tail(out, 2000))
	}
	return nil
}

// start runs a long-lived csm process named name (api0, worker1, …),
// logging to <dir>/<name>.log.
func (c *cluster) start(name string, args ...string) error {
	logf, err := os.OpenFile(filepath.Join(c.dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait(); _ = logf.Close() }()
	c.procs[name] = cmd
	return nil
}

func (c *cluster) signal(name string, sig syscall.Signal) error {
	p, ok := c.procs[name]
	if !ok || p.Process == nil {
		return fmt.Errorf("no process %s", name)
	}
	return p.Process.Signal(sig)
}

func (c *cluster) startAPI(i int) error {
	return c.start(fmt.Sprintf("api%d", i), "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", c.apiPorts[i]))
}

func (c *cluster) startWorker(i int) error {
	return c.start(fmt.Sprintf("worker%d", i), "worker", "--concurrency", "1")
}

func (c *cluster) waitHealthy(ctx context.Context) error {
	for i := range c.apiPorts {
		url := c.apiURL(i) + "/health"
		if err := waitFor(ctx, 90*time.Second, func() bool {
			res, err := http.Get(url)
			if err != nil {
				return false
			}
			_ = res.Body.Close()
			return res.StatusCode == http.StatusOK
		}); err != nil {
			return fmt.Errorf("%s: %w", url, err)
		}
	}
	return nil
}

// close stops everything it started: csm processes (SIGTERM, then SIGKILL),
// Redis and Postgres.
func (c *cluster) close() {
	for _, p := range c.procs {
		if p.Process != nil {
			_ = p.Process.Signal(syscall.SIGCONT)
			_ = p.Process.Signal(syscall.SIGTERM)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range c.procs {
		for p.ProcessState == nil && time.Now().Before(deadline) {
			if p.Process.Signal(syscall.Signal(0)) != nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		_ = p.Process.Kill()
	}
	if c.db != nil {
		c.db.Close()
	}
	if c.rdb != nil {
		_ = c.rdb.Close()
	}
	c.killRedis()
	if c.pgUID != 0 {
		c.stopPostgres()
	}
}

// waitFor polls ok every 50 ms until it holds or within passes.
func waitFor(ctx context.Context, within time.Duration, ok func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		if ok() {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("timed out after " + within.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
