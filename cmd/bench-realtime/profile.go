package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// profiles are the server process's CPU, block and mutex profiles over
// the rounds, written to the files CSM_BENCH_CPUPROFILE,
// CSM_BENCH_BLOCKPROFILE and CSM_BENCH_MUTEXPROFILE name (each optional).
type profiles struct {
	cpu          *os.File
	block, mutex string
	stopped      bool
}

func startProfiles() (*profiles, error) {
	p := &profiles{block: os.Getenv("CSM_BENCH_BLOCKPROFILE"), mutex: os.Getenv("CSM_BENCH_MUTEXPROFILE")}
	if path := os.Getenv("CSM_BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return nil, err
		}
		p.cpu = f
	}
	if p.block != "" {
		runtime.SetBlockProfileRate(10_000) // a sample per 10 µs blocked
	}
	if p.mutex != "" {
		runtime.SetMutexProfileFraction(10)
	}
	return p, nil
}

// stop ends the profiles and writes them; later calls do nothing.
func (p *profiles) stop() {
	if p.stopped {
		return
	}
	p.stopped = true
	if p.cpu != nil {
		pprof.StopCPUProfile()
		_ = p.cpu.Close()
	}
	for name, path := range map[string]string{"block": p.block, "mutex": p.mutex} {
		if path == "" {
			continue
		}
		if err := writeProfile(name, path); err != nil {
			fmt.Fprintln(os.Stderr, "bench-realtime:", err)
		}
	}
	runtime.SetBlockProfileRate(0)
	runtime.SetMutexProfileFraction(0)
}

func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
