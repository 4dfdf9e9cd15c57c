package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/collectorstash/csm/postgres"
)

// backendCPU reads the CPU time (user + system) the Postgres backend of a
// one-connection pool has used so far, from /proc (the server runs on this
// machine): what a query costs without the time spent waiting for a core
// on a loaded machine. ok is false where /proc does not show it.
type backendCPU struct{ pid int }

func newBackendCPU(ctx context.Context, one *postgres.DB) backendCPU {
	var pid int
	if err := one.Pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		return backendCPU{}
	}
	return backendCPU{pid: pid}
}

// used is the backend's CPU so far (clock ticks of 10 ms).
func (b backendCPU) used() (time.Duration, bool) {
	if b.pid == 0 {
		return 0, false
	}
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", b.pid))
	if err != nil {
		return 0, false
	}
	i := strings.LastIndexByte(string(s), ')')
	f := strings.Fields(string(s)[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, true
}

// timed runs f and adds its wall time to lat and the backend's CPU to cpu.
func (b backendCPU) timed(lat *[]time.Duration, cpu *time.Duration, f func() error) error {
	c0, _ := b.used()
	t := time.Now()
	err := f()
	*lat = append(*lat, time.Since(t))
	c1, _ := b.used()
	*cpu += c1 - c0
	return err
}
