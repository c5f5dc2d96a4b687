package grading

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"time"

	"raftlabs/labtest"
	"raftlabs/labtest/testrun"
)

// RunOptions are how one test is run.
type RunOptions struct {
	Timeout time.Duration // real-time bound for the process; 0 means 5 minutes
	Seed    int64         // 0: RunTest picks one
	Env     []string      // added to the minimal environment a test starts from (TestEnv), e.g. RAFTLABS_REALTIME=1

	// TraceDir is the folder a failing test writes its trace to
	// (RAFTLABS_TRACE_DIR); "" leaves it to the environment, whose default
	// is raftlabs-traces in the system's temporary folder. The grader sets
	// it for a submission, to a folder it removes unless asked to keep it.
	TraceDir string

	// Context, if not nil, ends the test's process when it is done: the
	// grader cancels it when it is interrupted.
	Context context.Context

	// Limits are the test process's resource limits (TestLimits for a
	// submission); the zero value sets none.
	Limits testrun.Limits
}

// TestLimits are the grader's limits on a test process: generous enough
// that the reference never comes near them (it needs well under 1 GiB and
// a few seconds of CPU a test), small enough that a memory, CPU or disk
// bomb harms no one else graded on the machine. Memory is not limited in
// a -race binary (testrun.Limits says why).
var TestLimits = testrun.Limits{Memory: 2 << 30, CPU: 2 * time.Minute, FileSize: 64 << 20}

// Result is what one run of one test did. Everything but Output comes from
// the harness's own report (testrun.Result), which the test process sends
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
	Output   string   // what the test printed; past a bound, only its start and end (testrun.Run)

	// NotStarted says the test's process could not be started: Verdict says
	// why, and it is about the machine, not the code under test.
	NotStarted bool
}

// PassedCost returns the mean cost of the runs that passed (RPCs, request
// bytes, time on the test's clock) and how many passed; a zero Cost if
// none did.
func PassedCost(runs []Result) (testrun.Cost, int) {
	var sum testrun.Cost
	n := 0
	for _, r := range runs {
		if r.Passed {
			n++
			sum.RPCs += r.RPCs
			sum.Bytes += r.Bytes
			sum.Virtual += r.Virtual
		}
	}
	if n == 0 {
		return testrun.Cost{}, 0
	}
	return testrun.Cost{RPCs: sum.RPCs / n, Bytes: sum.Bytes / int64(n), Virtual: sum.Virtual / time.Duration(n)}, n
}

// RunTest runs test from the test binary bin as its own process, in labDir,
// and returns the harness's report of it.
func RunTest(bin, labDir string, test labtest.Test, opts RunOptions) Result {
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Minute
	}
	// The seed is chosen here, not by the test, so that the rerun command
	// names it even when the process ends without the harness's report
	// (log.Fatal or os.Exit in the code under test).
	if opts.Seed == 0 {
		opts.Seed = rand.Int64N(1_000_000) + 1
	}
	args := []string{"-seed", strconv.FormatInt(opts.Seed, 10)}
	env := opts.Env
	if opts.TraceDir != "" {
		env = append(slices.Clip(env), "RAFTLABS_TRACE_DIR="+opts.TraceDir)
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	rep, output := testrun.Run(ctx, testrun.Process{
		Binary:  bin,
		Dir:     labDir,
		Test:    test.Name(),
		Args:    args,
		Env:     env,
		BaseEnv: TestEnv(os.Environ()),
		Limits:  opts.Limits,
		Timeout: opts.Timeout,
		Isolate: true,
	})
	return Result{
		Test:     test,
		Passed:   rep.Passed,
		Seed:     opts.Seed,
		Virtual:  rep.Virtual,
		Real:     time.Since(start),
		RPCs:     rep.RPCs,
		Bytes:    rep.Bytes,
		Verdict:  rep.Verdict,
		Warnings: rep.Warnings,
		Output:   output,

		NotStarted: rep.NotStarted,
	}
}
