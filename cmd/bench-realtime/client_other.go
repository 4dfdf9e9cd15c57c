//go:build !linux

package main

import "errors"

// client needs Linux: its reader is an epoll loop and latency is taken
// at the kernel's receive time (SO_TIMESTAMPNS).
func client(string) error {
	return errors.New("the bench client needs Linux (epoll, SO_TIMESTAMPNS)")
}
