package grading

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"raftlabs/labtest"
)

// RunOptions are how one test is run.
type RunOptions struct {
	Timeout time.Duration // real-time bound for the process; 0 means 5 minutes
	Seed    int64         // 0: the test picks its own
	Env     []string      // added to the environment, e.g. RAFTLABS_REALTIME=1
}

// Result is what one run of one test did. Everything but Output comes from
// the harness's own report (labtest.Result), which the test process sends
// over a pipe only the harness can write to; what the process prints is
// kept for people to read and never believed.
type Result struct {
	Test     labtest.Test
	Passed   bool
	Seed     int64
	Virtual  time.Duration // the test's own clock; 0 in real time
	Real     time.Duration // the process's real time
	RPCs     int
	Bytes    int64
	Verdict  string   // why it failed, in the harness's words
	Warnings []string // problems that cost no points in this test, such as goroutines left after Kill
	Output   string   // what the test printed; past outputLimit, only its start and end
}

// RunTest runs test from the test binary bin as its own process, in labDir,
// and returns the harness's report of it.
func RunTest(bin, labDir string, test labtest.Test, opts RunOptions) Result {
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Minute
	}
	var args []string
	if opts.Seed != 0 {
		args = append(args, "-seed", strconv.FormatInt(opts.Seed, 10))
	}
	out := &cappedBuffer{}
	start := time.Now()
	rep := labtest.RunProcess(context.Background(), labtest.Process{
		Binary:  bin,
		Dir:     labDir,
		Test:    test.Name(),
		Args:    args,
		Env:     opts.Env,
		Output:  out,
		Timeout: opts.Timeout,
		Isolate: true,
	})
	seed := rep.Seed
	if seed == 0 {
		seed = opts.Seed
	}
	return Result{
		Test:     test,
		Passed:   rep.Passed,
		Seed:     seed,
		Virtual:  rep.Virtual,
		Real:     time.Since(start),
		RPCs:     rep.RPCs,
		Bytes:    rep.Bytes,
		Verdict:  rep.Verdict,
		Warnings: rep.Warnings,
		Output:   out.String(),
	}
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
