package testproc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Limits are the resource limits of a test process: the grader's, so that
// one submission's memory, CPU or disk bomb cannot harm the machine or the
// other students graded on it. The harness sets them on its own process as
// it starts (setrlimit, on Linux and macOS), before any code under test
// runs, soft and hard alike, so the code under test cannot raise them.
//
// There is no limit on the number of processes: RLIMIT_NPROC counts every
// thread of the user on the whole machine, which would fail Go's own
// threads on a busy grader, and the code under test can start no process
// anyway (the allowlist keeps os/exec and syscall out, and the grader
// kills the test's process group when it ends).
type Limits struct {
	// Memory bounds the address space (RLIMIT_AS), in bytes, on Linux. A
	// -race binary ignores it, and the grader sets none for one: the race
	// detector reserves terabytes of address space for its shadow memory.
	// macOS does not enforce it, and it is not set there.
	Memory int64
	// CPU bounds the CPU time, user and system (RLIMIT_CPU).
	CPU time.Duration
	// FileSize bounds the size of a file the process writes (RLIMIT_FSIZE):
	// only the harness writes files, its traces.
	FileSize int64
}

// limitsEnv carries a test process's Limits from the grader to the harness.
const limitsEnv = "RAFTLABS_LIMITS"

// encode writes l as limitsEnv's value: "memory=N,cpu=S,filesize=N", in
// bytes and seconds; zero values are left out.
func (l Limits) encode() string {
	var parts []string
	if l.Memory > 0 {
		parts = append(parts, "memory="+strconv.FormatInt(l.Memory, 10))
	}
	if l.CPU > 0 {
		parts = append(parts, "cpu="+strconv.FormatInt(int64((l.CPU+time.Second-1)/time.Second), 10))
	}
	if l.FileSize > 0 {
		parts = append(parts, "filesize="+strconv.FormatInt(l.FileSize, 10))
	}
	return strings.Join(parts, ",")
}

// decodeLimits reads limitsEnv's value; what it does not understand is
// left at zero.
func decodeLimits(s string) Limits {
	var l Limits
	for _, part := range strings.Split(s, ",") {
		name, value, _ := strings.Cut(part, "=")
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n <= 0 {
			continue
		}
		switch name {
		case "memory":
			l.Memory = n
		case "cpu":
			l.CPU = time.Duration(n) * time.Second
		case "filesize":
			l.FileSize = n
		}
	}
	return l
}

// limitHit says which of p's limits ended the process, if one did, in the
// verdict's words; "" if none did. state is the ended process's, lines its
// output.
func (p *Process) limitHit(state *os.ProcessState, lines []string) string {
	l := p.Limits
	if state == nil || l == (Limits{}) {
		return ""
	}
	cpu := state.UserTime() + state.SystemTime()
	if l.CPU > 0 && cpu >= l.CPU-time.Second/2 {
		return fmt.Sprintf("the test process was killed after %v of CPU time (the grader's limit): "+
			"a loop that never waits, or far more work than the test needs", l.CPU.Round(time.Second))
	}
	if l.Memory > 0 {
		for _, line := range lines {
			if strings.Contains(line, "out of memory") || strings.Contains(line, "cannot allocate memory") {
				return fmt.Sprintf("the test process ran out of memory: it exceeded the grader's %s memory limit "+
					"(a log or a buffer that grows without end?)", Size(l.Memory))
			}
		}
	}
	return ""
}

// envEntries are the environment entries that give a child process l.
func (l Limits) envEntries() []string {
	if l == (Limits{}) {
		return nil
	}
	return []string{limitsEnv + "=" + l.encode()}
}

// Size writes a number of bytes as people read it: "2 GiB", "64 MiB", "900 B".
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d B", n)
	}
}
