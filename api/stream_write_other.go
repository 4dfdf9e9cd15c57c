//go:build !unix

package api

import (
	"errors"
	"net"
	"syscall"
)

// rawSocket is nil off unix: connections write through net.Conn.
func rawSocket(net.Conn) syscall.RawConn { return nil }

// writeAll is never called off unix (rawSocket is nil).
func writeAll(syscall.RawConn, []byte) error {
	return errors.New("raw socket writes need unix")
}
