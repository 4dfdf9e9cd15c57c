// Package sysload reports the machine's load for the benchmarks, which
// print it next to their figures (these machines are shared and noisy).
package sysload

import (
	"os"
	"strings"
	"syscall"
	"time"
)

// Load1 is the 1-minute load average as /proc/loadavg gives it, "?" where
// it cannot be read.
func Load1() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// CPUTime is the process's user + system CPU time so far (0 where it
// cannot be read).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
