package runner

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"raftlabs/labtest/internal/cost"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/words"
)

// ReportAndExit sends res, this child process's one result, to the parent
// and ends the process: 0 if the test passed, 1 if not. If the report
// cannot be sent, the test fails here instead and the process goes on.
func ReportAndExit(t *testing.T, res testproc.Result) {
	if err := testproc.Reporter.Send(&res); err != nil {
		t.Error(err)
		return
	}
	if res.Passed {
		os.Exit(0)
	}
	os.Exit(1)
}

// Child runs the test t in a child process: this test binary, started
// again for t alone, with the seed chosen here so that a rerun is exact.
func Child(t *testing.T, s Settings) testproc.Result {
	bin, err := os.Executable()
	if err != nil {
		bin = os.Args[0]
	}
	args := []string{
		"-seed", strconv.FormatInt(s.Seed, 10),
		"-stall", s.Stall.String(),
		"-wallclock", s.Wallclock.String(),
	}
	if s.Realtime {
		args = append(args, "-realtime")
	}
	args = append(args, "-replay="+strconv.FormatBool(s.Replay))
	args = append(args, traceArgs()...)
	out := &testproc.Relay{W: os.Stdout}
	defer out.Flush()
	res, _ := testproc.Run(context.Background(), testproc.Process{
		Binary:   bin,
		Test:     t.Name(),
		Args:     args,
		Output:   out,
		Timeout:  s.Wallclock + time.Minute,
		Parallel: !s.Replay,
	})
	if res.Seed == 0 {
		res.Seed = s.Seed
	}
	if res.Rerun == "" {
		res.Rerun = Rerun(t.Name(), s)
	}
	return res
}

// PrintCost prints, under the summary line, what the test cost beside
// what the reference's cost (with -v), and a note if it was far more.
func PrintCost(res *testproc.Result) {
	for _, line := range cost.Lines(res, testing.Verbose()) {
		fmt.Println(line)
	}
}

// PrintVerdict prints why a test failed, and the command that reruns it.
func PrintVerdict(res *testproc.Result) {
	if res.Passed {
		return
	}
	fmt.Printf("%s\n  rerun: %s\n", words.Indent(res.Verdict, "    "), res.Rerun)
}

// Rerun is the command that replays this process's test.
func Rerun(name string, s Settings) string {
	dir := "."
	if wd, err := os.Getwd(); err == nil {
		dir = filepath.Base(wd)
	}
	cmd := RerunCommand(dir, name, s.Seed, s.Realtime, testproc.RaceEnabled)
	if !s.Replay {
		cmd += " -replay" // the failure ran on every core; the rerun replays what it can
	}
	return cmd
}

// RerunCommand is the one command, from the course's root, that reruns
// test of the lab folder dir with a seed, e.g.
// "cd lab1-election && go test -run '^TestReElectionLab1$' -seed 8812".
// Everything that prints a rerun line (the tests, the grader) uses it.
func RerunCommand(dir, test string, seed int64, realtime, race bool) string {
	cmd := fmt.Sprintf("cd %s && go test -run '%s' -seed %d", dir, testproc.QuoteName(test), seed)
	if realtime {
		cmd += " -realtime"
	}
	if race {
		cmd += " -race"
	}
	return cmd
}

// IsFuzzWorker reports whether this process is a fuzzer's worker, which
// runs the inputs the fuzzer makes up (go test -fuzz).
func IsFuzzWorker() bool {
	f := flag.Lookup("test.fuzzworker")
	return f != nil && f.Value.String() == "true"
}

// FuzzRerun is the command that reruns one saved input of a fuzz target,
// named as t.Name gives it: "FuzzFigure8Lab2/582528ddfad69eb5". The input
// is the seed: no -seed.
func FuzzRerun(name string) string {
	dir := "."
	if wd, err := os.Getwd(); err == nil {
		dir = filepath.Base(wd)
	}
	cmd := fmt.Sprintf("cd %s && go test -run '%s'", dir, testproc.QuoteName(name))
	if testproc.RaceEnabled {
		cmd += " -race"
	}
	return cmd
}

// Here runs the test t in this process and returns its result: it prints
// the test's header, runs body in the test's bubble (Execute; body builds
// the cluster on r and runs the scenario) while the watchdog watches from
// outside (Watch), runs the checks left for after the test, writes the
// trace, and prints the warnings and the summary line.
func Here(t *testing.T, s Settings, body func(t *testing.T, r *Run)) testproc.Result {
	r := New(t.Name(), s)
	if s.Replay {
		testproc.EnterReplay(s.Seed)
	}
	fmt.Printf("Test %s: seed %d, %s\n", r.Name, r.Settings.Seed, r.ClockName())
	done := make(chan struct{})
	go r.Execute(t, func(t *testing.T) { body(t, r) }, done)
	r.Watch(done)
	r.RunAfterChecks()
	res := r.Result()
	r.WriteTrace(&res)
	for _, w := range res.Warnings {
		fmt.Printf("  warning: %s\n", strings.ReplaceAll(strings.TrimRight(w, "\n"), "\n", "\n  "))
	}
	fmt.Println(res.Summary())
	return res
}

// Test runs the test t with the settings s where they say: in a child
// process of its own, or in this one (-inprocess) with body, as Here does;
// or, in the child, with body, reporting to the parent and ending. The
// parent prints the cost note and the verdict, and fails t if the test
// failed.
func Test(t *testing.T, s Settings, body func(t *testing.T, r *Run)) {
	t.Helper()
	var res testproc.Result
	switch {
	case testproc.Reporter != nil:
		// A child process: run here, tell the parent, and end. The process
		// exists for this one test, and ending it now means that nothing
		// the test left behind (goroutines that never stop, a bubble that
		// synctest is still tearing down) can touch the testing package
		// after the test function has returned. Under -race, a race found
		// during the test still sets the exit status (66).
		ReportAndExit(t, Here(t, s, body))
		return // the report could not be sent: t has failed with why
	case s.InProcess:
		res = Here(t, s, body)
	default:
		res = Child(t, s)
	}
	PrintCost(&res)
	PrintVerdict(&res)
	if !res.Passed {
		t.Fail()
	}
}
