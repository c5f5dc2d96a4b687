package grading

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"raftlabs/labtest"
)

// RunOptions are how one test is run.
type RunOptions struct {
	Timeout time.Duration // real-time bound for the process; 0 means 5 minutes
	Seed    int64         // 0: the test picks its own
	Env     []string      // added to the environment, e.g. RAFTLABS_REALTIME=1
}

// Result is what one run of one test did.
type Result struct {
	Test    labtest.Test
	Passed  bool
	Seed    int64
	Virtual time.Duration // the test's own clock; 0 in real time
	Real    time.Duration // the process's real time
	RPCs    int
	Bytes   int64
	Verdict string // why it failed, in the harness's words (first lines)
	Output  string // what the test printed; past outputLimit, only its start and end
}

var (
	summaryLine = regexp.MustCompile(`(?m)^  (passed|FAILED)  (?:([\d.]+)s virtual  )?([\d.]+)s real  (\d+) peers  (\d+) RPCs  (\d+) bytes  (\d+) commands$`)
	seedLine    = regexp.MustCompile(`(?m)^Test \S+: seed (\d+),`)
)

// RunTest runs test from the test binary bin as its own process, in labDir,
// and reads its summary line.
func RunTest(bin, labDir string, test labtest.Test, opts RunOptions) Result {
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
	defer cancel()
	args := []string{"-test.run", "^" + test.Name() + "$", "-test.v", "-test.timeout", "0"}
	if opts.Seed != 0 {
		args = append(args, "-seed", strconv.FormatInt(opts.Seed, 10))
	}
	cmd, out := TestCommand(ctx, bin, labDir, args...)
	cmd.Env = append(cmd.Env, opts.Env...)
	start := time.Now()
	err := cmd.Run()

	res := Result{Test: test, Real: time.Since(start), Output: out.String()}
	if m := seedLine.FindStringSubmatch(res.Output); m != nil {
		res.Seed, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := summaryLine.FindStringSubmatch(res.Output); m != nil {
		res.Passed = m[1] == "passed" && err == nil
		if m[2] != "" {
			v, _ := strconv.ParseFloat(m[2], 64)
			res.Virtual = time.Duration(v * float64(time.Second))
		}
		res.RPCs, _ = strconv.Atoi(m[5])
		res.Bytes, _ = strconv.ParseInt(m[6], 10, 64)
	}
	if !res.Passed {
		res.Verdict = verdict(res.Output, ctx.Err(), err, opts.Timeout)
	}
	return res
}

// TestCommand returns the command that runs a lab's test binary bin with
// args in labDir (the rerun commands tests print are relative to it), and
// the buffer that collects its output, bounded by outputLimit. The command
// is killed when ctx ends.
func TestCommand(ctx context.Context, bin, labDir string, args ...string) (*exec.Cmd, fmt.Stringer) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = labDir
	// A race-enabled binary otherwise sleeps a second at exit, which is
	// most of a test's real time; the user's own GORACE options come after,
	// so they win.
	gorace := strings.TrimSpace("atexit_sleep_ms=0 " + os.Getenv("GORACE"))
	cmd.Env = append(os.Environ(), "GORACE="+gorace)
	cmd.WaitDelay = 5 * time.Second
	out := &cappedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd, out
}

// outputLimit bounds what RunTest keeps of a test's output: a student's
// debug printing can run to gigabytes over many runs. The start (the seed)
// and the end (the verdict and the summary line) are kept.
const (
	outputHead  = 64 << 10
	outputLimit = 2 << 20
)

// cappedBuffer keeps the first outputHead bytes written to it and the last
// outputLimit-outputHead. The go command's exec writes to it from one
// goroutine at a time (Stdout and Stderr are the same writer).
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

// failureLine is where a test's failure message starts: "    lab1.go:16: ...".
var failureLine = regexp.MustCompile(`^    \S+\.go:\d+: `)

// verdict picks the lines that say why a test failed.
func verdict(output string, ctxErr, runErr error, timeout time.Duration) string {
	if errors.Is(ctxErr, context.DeadlineExceeded) {
		return fmt.Sprintf("killed after %v of real time without finishing", timeout)
	}
	if strings.Contains(output, "testing: warning: no tests to run") {
		return "the test binary has no such test: is the lab folder's suite_test.go current? (go run ./cmd/labgen)"
	}
	lines := strings.Split(output, "\n")
	why := harnessVerdict(lines)
	if race := dataRace(lines); race != "" {
		if why == "" || strings.Contains(why, "race detected during execution of test") {
			return race
		}
		return race + "\n" + why
	}
	if why != "" {
		return why
	}
	if runErr != nil {
		return fmt.Sprintf("the test process failed (%v) without a summary line", runErr)
	}
	return "the test printed no summary line"
}

// harnessVerdict returns the first failure message of the test's output:
// a panic, or the lines of the first t.Error.
func harnessVerdict(lines []string) string {
	for k, line := range lines {
		switch {
		case strings.HasPrefix(line, "panic: "), strings.HasPrefix(line, "fatal error: "):
			return strings.Join(lines[k:min(k+3, len(lines))], "\n")
		case failureLine.MatchString(line):
			msg := []string{strings.TrimSpace(failureLine.ReplaceAllString(line, ""))}
			for _, l := range lines[k+1:] {
				if len(msg) == 3 || !strings.HasPrefix(l, "        ") {
					break
				}
				msg = append(msg, strings.TrimSpace(l))
			}
			return strings.Join(msg, "\n")
		}
	}
	return ""
}

// dataRace describes the first data race the race detector reported: the
// two accesses and the functions that made them, e.g.
// "data race: read in (*Raft).GetState (raft.go:48), previous write in ...".
func dataRace(lines []string) string {
	start := slices.Index(lines, "WARNING: DATA RACE")
	if start < 0 {
		return ""
	}
	var accesses []string
	for k := start + 1; k+2 < len(lines) && len(accesses) < 2 && lines[k] != "=================="; k++ {
		m := raceAccess.FindStringSubmatch(lines[k])
		if m == nil {
			continue
		}
		fn := strings.TrimSuffix(strings.TrimSpace(lines[k+1]), "()")
		fn = fn[strings.LastIndex(fn, "/")+1:]
		fn = fn[strings.Index(fn, ".")+1:] // drop the package
		where := strings.Fields(strings.TrimSpace(lines[k+2]))
		loc := ""
		if len(where) > 0 {
			loc = " (" + filepath.Base(where[0]) + ")"
		}
		accesses = append(accesses, fmt.Sprintf("%s in %s%s", strings.ToLower(m[1]+m[2]), fn, loc))
	}
	if len(accesses) == 0 {
		return "data race (see the test's output)"
	}
	return "data race: " + strings.Join(accesses, ", ")
}

// raceAccess is the race detector's line that starts an access:
// "Read at 0x00c000123 by goroutine 7:" or "Previous write at ...".
var raceAccess = regexp.MustCompile(`^(Previous |)(Read|Write|read|write) at 0x[0-9a-f]+ by `)
