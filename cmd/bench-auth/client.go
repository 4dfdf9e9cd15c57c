package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/collectorstash/csm/cmd/internal/sysload"
)

// clientEnv carries the client process's part (JSON clientConfig): the
// concurrent section's load comes from a separate process, so the server's
// scheduler, allocator and profile hold the server alone.
const clientEnv = "CSM_BENCH_AUTH_CLIENT"

// clientMode is one caller mode as the client process sees it.
type clientMode struct {
	Name   string            `json:"name"`
	URL    string            `json:"url"`
	Header map[string]string `json:"header,omitempty"`
	// FreshIP gives every request an X-Forwarded-For of its own (anonymous
	// callers never over their per-IP budget).
	FreshIP bool `json:"fresh_ip,omitempty"`
}

// clientConfig is the client process's part.
type clientConfig struct {
	Route  string       `json:"route"`
	Conc   int          `json:"conc"`
	Per    int          `json:"per"` // requests per mode and round
	Rounds int          `json:"rounds"`
	Modes  []clientMode `json:"modes"`
}

// batchMsg is a line the client process writes: begin (it waits for a line
// on stdin before it sends the batch), then the batch's results.
type batchMsg struct {
	Begin *[2]int `json:"begin,omitempty"` // round, mode
	End   *struct {
		Mode int     `json:"mode"`
		Took int64   `json:"took"` // ns
		Lat  []int64 `json:"lat"`  // ns, the 200s
		Bad  int     `json:"bad"`
		CPU  int64   `json:"cpu"` // ns of the client process
	} `json:"end,omitempty"`
}

// modeResult sums one mode's batches: wall time, latencies, non-200s and
// the server process's CPU time during them.
type modeResult struct {
	took      time.Duration
	lat       []time.Duration
	bad       int
	serverCPU time.Duration
	clientCPU time.Duration
	redisCPU  time.Duration
}

// runClients runs the concurrent section in a client process (this
// executable again, with clientEnv set) and measures the server process's
// CPU time around each of its batches.
func runClients(cfg clientConfig, redisCPU func() time.Duration) ([]modeResult, time.Duration, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, 0, err
	}
	raw, _ := json.Marshal(cfg)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), clientEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("start client process: %w", err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	dec := json.NewDecoder(bufio.NewReader(stdout))
	res := make([]modeResult, len(cfg.Modes))
	var total time.Duration
	for range cfg.Rounds * len(cfg.Modes) {
		var b batchMsg
		if err := dec.Decode(&b); err != nil || b.Begin == nil {
			return nil, 0, fmt.Errorf("client process: no batch start (%v)", err)
		}
		r0 := redisCPU()
		cpu0 := sysload.CPUTime()
		if _, err := io.WriteString(stdin, "go\n"); err != nil {
			return nil, 0, err
		}
		var e batchMsg
		if err := dec.Decode(&e); err != nil || e.End == nil {
			return nil, 0, fmt.Errorf("client process: no batch result (%v)", err)
		}
		d := sysload.CPUTime() - cpu0
		m := &res[e.End.Mode]
		m.redisCPU += redisCPU() - r0
		m.clientCPU += time.Duration(e.End.CPU)
		m.serverCPU += d
		total += d
		m.took += time.Duration(e.End.Took)
		m.bad += e.End.Bad
		for _, ns := range e.End.Lat {
			m.lat = append(m.lat, time.Duration(ns))
		}
	}
	return res, total, nil
}

// warmUp is the requests per client connection each mode gets before the
// measured rounds (as the sequential section's warm-up).
const warmUp = 5

// client is the client process: the modes take turns in rounds, each
// batch after the parent's go-ahead.
func client(raw string) error {
	var cfg clientConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return fmt.Errorf("%s: %w", clientEnv, err)
	}
	in := bufio.NewReader(os.Stdin)
	enc := json.NewEncoder(os.Stdout)
	var ip uint32
	var ipMu sync.Mutex
	for r := -1; r < cfg.Rounds; r++ { // round -1 warms every mode up, unmeasured
		for i, m := range cfg.Modes {
			if r >= 0 {
				if err := enc.Encode(batchMsg{Begin: &[2]int{r, i}}); err != nil {
					return err
				}
				if _, err := in.ReadString('\n'); err != nil {
					return errors.New("parent went away")
				}
			}
			header := func(h http.Header) {
				for k, v := range m.Header {
					h.Set(k, v)
				}
				if m.FreshIP {
					ipMu.Lock()
					ip++
					n := ip
					ipMu.Unlock()
					h.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", byte(n>>16), byte(n>>8), byte(n)))
				}
			}
			if r < 0 {
				if _, _, bad := (mode{m.Name, m.URL, header}).concurrent(cfg.Route, cfg.Conc, warmUp*cfg.Conc); bad > 0 {
					return fmt.Errorf("%s: warm-up: %d requests failed", m.Name, bad)
				}
				continue
			}
			cpu0 := sysload.CPUTime()
			took, lat, bad := mode{m.Name, m.URL, header}.concurrent(cfg.Route, cfg.Conc, cfg.Per)
			cpu := sysload.CPUTime() - cpu0
			out := batchMsg{End: &struct {
				Mode int     `json:"mode"`
				Took int64   `json:"took"`
				Lat  []int64 `json:"lat"`
				Bad  int     `json:"bad"`
				CPU  int64   `json:"cpu"`
			}{Mode: i, Took: int64(took), Bad: bad, CPU: int64(cpu)}}
			for _, d := range lat {
				out.End.Lat = append(out.End.Lat, int64(d))
			}
			if err := enc.Encode(out); err != nil {
				return err
			}
		}
	}
	return nil
}
