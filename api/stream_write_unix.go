//go:build unix

package api

import (
	"net"
	"syscall"
	"unsafe"
)

// rawSocket is c's descriptor for writeAll, nil when c has none.
func rawSocket(c net.Conn) syscall.RawConn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// writeAll writes b to a non-blocking socket with raw write(2) calls,
// waiting for the socket to be writable through the netpoller when its
// buffer is full. A raw call skips the runtime's blocking-syscall path
// (entersyscall/exitsyscall): under the fan-out of one event to thousands
// of connections that path let sysmon take the writer's P away from every
// write that ran past 20 µs and hand it to another thread (contention on
// the scheduler's lock in the mutex profile, make bench-realtime), though
// a write to a non-blocking socket never blocks.
func writeAll(rc syscall.RawConn, b []byte) error {
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for len(b) > 0 {
			n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
			switch e {
			case 0:
				b = b[n:]
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false // wait until writable, then again
			default:
				werr = e
				return true
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	return werr
}
