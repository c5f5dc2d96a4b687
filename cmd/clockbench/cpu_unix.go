//go:build unix

package main

import (
	"syscall"
	"time"
)

// childrenCPU returns the CPU time, user and system, that this process's
// children have used, counting only those that have ended: a test's
// process and whatever it started.
func childrenCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
