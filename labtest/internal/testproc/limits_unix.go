//go:build unix

package testproc

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// The harness sets the grader's limits on its own process before any code
// under test runs: this package is a dependency of the lab's package (its
// test files import it), so its init runs first.
func init() {
	if v, ok := os.LookupEnv(limitsEnv); ok {
		if err := setLimits(decodeLimits(v)); err != nil {
			fmt.Fprintf(os.Stderr, "raftlabs: could not set the grader's limits (%s): %v\n", v, err)
			os.Exit(2)
		}
	}
}

// setLimits sets l on this process, soft and hard alike.
func setLimits(l Limits) error {
	set := func(resource int, n uint64) error {
		return syscall.Setrlimit(resource, &syscall.Rlimit{Cur: n, Max: n})
	}
	// macOS takes an address-space limit but does not enforce it, and may
	// refuse one below what the process has already reserved: there the
	// memory is not limited.
	if l.Memory > 0 && !RaceEnabled && runtime.GOOS != "darwin" {
		if err := set(syscall.RLIMIT_AS, uint64(l.Memory)); err != nil {
			return fmt.Errorf("memory: %w", err)
		}
	}
	if l.FileSize > 0 {
		if err := set(syscall.RLIMIT_FSIZE, uint64(l.FileSize)); err != nil {
			return fmt.Errorf("file size: %w", err)
		}
	}
	if l.CPU > 0 {
		// Go ignores SIGXCPU, which some systems send at the limit rather
		// than ending the process: end it here.
		xcpu := make(chan os.Signal, 1)
		signal.Notify(xcpu, syscall.SIGXCPU)
		go func() {
			<-xcpu
			fmt.Fprintln(os.Stderr, "raftlabs: the test process used up the grader's CPU time limit")
			os.Exit(3)
		}()
		if err := set(syscall.RLIMIT_CPU, uint64(l.CPU.Seconds())); err != nil {
			return fmt.Errorf("CPU time: %w", err)
		}
	}
	return nil
}
