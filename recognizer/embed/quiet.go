package embed

import (
	"bufio"
	"bytes"
	"os"
	"sync"
	"syscall"
)

// schemaNoise marks the lines Debian's ONNX Runtime prints on standard error
// while it registers its operator schemas (about 1,100 "Schema error: Trying
// to register schema with name … but it is already registered" lines at
// every start). They are harmless and say nothing a user can act on.
var schemaNoise = []byte("Schema error")

// stderrMu serialises quietStderr: file descriptor 2 is process-wide.
var stderrMu sync.Mutex

// quietStderr runs fn with file descriptor 2 passed through a filter that
// drops the schema-registration noise; every other line still reaches the
// real standard error, in order, before quietStderr returns.
func quietStderr(fn func() error) error {
	stderrMu.Lock()
	defer stderrMu.Unlock()
	saved, err := syscall.Dup(2)
	if err != nil {
		return fn()
	}
	defer syscall.Close(saved)
	r, w, err := os.Pipe()
	if err != nil {
		return fn()
	}
	if err := syscall.Dup2(int(w.Fd()), 2); err != nil {
		r.Close()
		w.Close()
		return fn()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		out := os.NewFile(uintptr(saved), "stderr")
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		afterNoise := false // each noise line is followed by a blank one
		for sc.Scan() {
			line := sc.Bytes()
			if bytes.Contains(line, schemaNoise) || afterNoise && len(bytes.TrimSpace(line)) == 0 {
				afterNoise = true
				continue
			}
			afterNoise = false
			_, _ = out.Write(append(line, '\n'))
		}
	}()
	ferr := fn()
	_ = syscall.Dup2(saved, 2) // restore before closing the pipe's last writer
	w.Close()
	<-done
	r.Close()
	return ferr
}
