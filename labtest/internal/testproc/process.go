package testproc

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

// Every test runs as a process of its own. Under a plain go test,
// labtest.Run starts the test binary again for each test; the grader starts
// it once per test itself. Either way the child runs the scenario and
// reports its Result over a pipe, and the parent reads it with Run.
// A panic in a student's goroutine, a busy loop the harness had to
// abandon, or goroutines left after Kill then end with that one process
// and cannot burn CPU or change the verdict of the next test.

// A Process is one test of a test binary, to be run as a process of its own.
type Process struct {
	Binary  string        // the lab's test binary
	Dir     string        // its working folder: the lab folder, which rerun commands are relative to
	Test    string        // the test's name, as t.Name gives it
	Args    []string      // further flags for the binary, e.g. "-seed", "42"
	Env     []string      // added to the environment
	Output  io.Writer     // receives the process's output as it comes; may be nil
	Timeout time.Duration // real-time bound for the whole process; 0 means no bound

	// BaseEnv, if not nil, is the environment the process starts from in
	// place of this process's own (os.Environ); Env and the harness's own
	// variables are added to it. The grader gives a submission's tests a
	// minimal one, so that nothing of the grader's environment reaches
	// the code under test.
	BaseEnv []string

	// Limits are the process's resource limits; the zero value sets none.
	// The verdict of a process that one of them ended names it.
	Limits Limits

	// Isolate runs the process in a process group of its own and kills the
	// group when the test ends, so that nothing the code under test might
	// start outlives it. The grader sets it; a go test run does not, so
	// that Ctrl-C still reaches its children.
	Isolate bool

	// Parallel runs the test on every core, not in replay mode (replay.go),
	// in which a test's seed decides its whole run. RAFTLABS_REPLAY=0 in
	// the environment does the same.
	Parallel bool
}

// baseEnv returns the environment p starts from, a copy the caller may
// append to.
func (p *Process) baseEnv() []string {
	if p.BaseEnv != nil {
		return slices.Clone(p.BaseEnv)
	}
	return os.Environ()
}

// Run runs p and returns the harness's account of the test. When
// the process ends without one, or the account cannot stand (it passed but
// the process then failed, as it does when the race detector finds a race),
// the Result says so in its Verdict, with the cause as far as the process's
// output shows it.
//
// It also returns what the process printed: all of it, or for a process
// that printed more than outputLimit, its start and its end.
func Run(ctx context.Context, p Process) (Result, string) {
	kept := &cappedBuffer{}
	res := run(ctx, p, kept)
	return res, kept.String()
}

func run(ctx context.Context, p Process, kept *cappedBuffer) Result {
	if p.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.Timeout)
		defer cancel()
	}
	args := append([]string{"-test.run", QuoteName(p.Test), "-test.count", "1", "-test.timeout", "0"}, p.Args...)
	cmd := exec.CommandContext(ctx, p.Binary, args...)
	cmd.Dir = p.Dir
	token := newToken()
	// A race-enabled binary otherwise sleeps a second at exit, which is most
	// of a test's real time; the user's own GORACE options come after, so
	// they win.
	base := p.baseEnv()
	gorace := strings.TrimSpace("atexit_sleep_ms=0 " + lookupEnv(base, "GORACE"))
	cmd.Env = append(base, "GORACE="+gorace)
	cmd.Env = append(cmd.Env, p.Env...)
	if p.childReplays() {
		cmd.Env = append(cmd.Env, replayChildEnv(cmd.Env)...)
	}
	cmd.Env = append(cmd.Env, p.Limits.envEntries()...)
	cmd.Env = append(cmd.Env, reportEnv+"="+token)
	cmd.WaitDelay = 5 * time.Second
	if p.Isolate {
		ownGroup(cmd)
	}

	// The output goes to p.Output as it comes, and its start and end are
	// kept, for the caller and for the verdict of a process that ends
	// without a report.
	var out io.Writer = kept
	if p.Output != nil {
		out = io.MultiWriter(p.Output, kept)
	}
	cmd.Stdout, cmd.Stderr = out, out

	failed := func(verdict string) Result {
		return Result{Test: p.Test, Verdict: verdict}
	}
	notStarted := func(err error) Result {
		return Result{Test: p.Test, Verdict: fmt.Sprintf("could not start the test process: %v", err), NotStarted: true}
	}
	readEnd, writeEnd, err := os.Pipe()
	if err != nil {
		return notStarted(err)
	}
	cmd.ExtraFiles = []*os.File{writeEnd}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		readEnd.Close()
		writeEnd.Close()
		return notStarted(err)
	}
	writeEnd.Close() // the child holds its own copy; EOF comes when it ends
	var report []byte
	var readErr error
	var reading sync.WaitGroup
	reading.Go(func() {
		report, readErr = io.ReadAll(io.LimitReader(readEnd, reportLimit))
		io.Copy(io.Discard, readEnd) // a child that floods the pipe must not block on it
		readEnd.Close()
	})
	waitErr := cmd.Wait()
	if p.Isolate {
		endGroup(cmd)
	}
	reading.Wait()
	real := time.Since(start)

	lines := strings.Split(kept.String(), "\n")
	res, repErr := parseReport(report, token)
	if readErr != nil && repErr == nil {
		repErr = readErr
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		r := failed(fmt.Sprintf("the test process was killed after %v of real time without finishing", p.Timeout))
		if res != nil {
			r = *res
			r.Passed = false
			r.Verdict = fmt.Sprintf("the test finished, but its process was killed after %v of real time without exiting", p.Timeout)
		}
		r.Real = real
		return r
	case repErr != nil:
		why := repErr.Error()
		if limit := p.limitHit(cmd.ProcessState, lines); limit != "" {
			why = limit
		} else if crash := crashCause(lines); crash != "" {
			why += ":\n" + crash
		} else if waitErr != nil {
			why += fmt.Sprintf(" (%v)", waitErr)
		} else {
			why += " (it exited with status 0, but the harness never reported the test's end)"
		}
		if strings.Contains(kept.String(), "testing: warning: no tests to run") {
			why = fmt.Sprintf("the test binary has no test named %s: is the lab folder's suite_test.go current? (go run ./cmd/labgen)", p.Test)
		}
		r := failed(why)
		r.Real = real
		return r
	}
	if race := dataRace(lines); race != "" {
		if res.Passed {
			res.Verdict = race
		} else {
			res.Verdict = race + "\n" + res.Verdict
		}
		res.Passed = false
	} else if waitErr != nil && res.Passed {
		res.Passed = false
		why := cmp.Or(p.limitHit(cmd.ProcessState, lines), crashCause(lines), waitErr.Error())
		res.Verdict = "the test passed, but its process then failed: " + why
	}
	return *res
}

// outputLimit bounds what Run keeps of a test's output: a student's
// debug printing can run to gigabytes over many runs. The start (the seed)
// and the end (the verdict and the summary line) are kept.
const (
	outputHead  = 64 << 10
	outputLimit = 2 << 20
)

// cappedBuffer keeps the first outputHead bytes written to it and the last
// outputLimit-outputHead. os/exec writes to it from one goroutine at a
// time (Stdout and Stderr are the same writer).
type cappedBuffer struct {
	head    []byte
	tail    []byte // the kept end is its last outputLimit-outputHead bytes
	dropped int64
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := outputHead - len(b.head); room > 0 {
		k := min(room, len(p))
		b.head = append(b.head, p[:k]...)
		p = p[k:]
	}
	b.tail = append(b.tail, p...)
	// Cut only once the tail has doubled, so each byte is moved O(1) times.
	const keep = outputLimit - outputHead
	if over := len(b.tail) - keep; over > keep {
		b.dropped += int64(over)
		b.tail = append(b.tail[:0], b.tail[over:]...)
	}
	return n, nil
}

func (b *cappedBuffer) String() string {
	const keep = outputLimit - outputHead
	tail, dropped := b.tail, b.dropped
	if over := len(tail) - keep; over > 0 {
		tail, dropped = tail[over:], dropped+int64(over)
	}
	if dropped == 0 {
		return string(b.head) + string(tail)
	}
	return fmt.Sprintf("%s\n... [%d bytes of output left out] ...\n%s", b.head, dropped, tail)
}

// Relay copies a child test process's output to W, line by line, leaving
// out the testing package's own lines (=== RUN, --- FAIL, PASS, ...): the
// parent test reports the child's result itself.
type Relay struct {
	W       io.Writer
	partial []byte
}

func (r *Relay) Write(p []byte) (int, error) {
	n := len(p)
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			break
		}
		line := r.partial[:i+1]
		if !isTestingLine(string(line[:i])) {
			if _, err := r.W.Write(line); err != nil {
				return n, err
			}
		}
		r.partial = r.partial[i+1:]
	}
	return n, nil
}

// Flush writes what is left of an unfinished last line.
func (r *Relay) Flush() {
	if len(r.partial) > 0 && !isTestingLine(string(r.partial)) {
		r.W.Write(append(r.partial, '\n'))
	}
	r.partial = nil
}

func isTestingLine(line string) bool {
	switch line {
	case "PASS", "FAIL":
		return true
	}
	for _, prefix := range []string{"=== RUN ", "=== PAUSE ", "=== CONT ", "--- PASS: ", "--- FAIL: ", "--- SKIP: "} {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}
