package testrun

import (
	"context"

	"raftlabs/labtest/internal/cost"
	"raftlabs/labtest/internal/runner"
	"raftlabs/labtest/internal/sweep"
	"raftlabs/labtest/internal/testproc"
)

// The process model and the result pipe live in package testproc; these
// are its names as the grader and the course's commands know them.
type (
	// A Result is the harness's own account of one run of one test; see
	// testproc.Result.
	Result = testproc.Result
	// A Cost is what one run of a test took; see testproc.Cost.
	Cost = testproc.Cost
	// A Process is one test of a test binary, to be run as a process of
	// its own; see testproc.Process.
	Process = testproc.Process
	// Limits are a test process's resource limits; see testproc.Limits.
	Limits = testproc.Limits
)

// Run runs p and returns the harness's account of the test and what the
// process printed; see testproc.Run.
func Run(ctx context.Context, p Process) (Result, string) {
	return testproc.Run(ctx, p)
}

// Size writes a number of bytes as people read it: "2 GiB", "64 MiB", "900 B".
func Size(n int64) string { return testproc.Size(n) }

// RerunCommand is the one command, from the course's root, that reruns
// test of the lab folder dir with a seed, e.g.
// "cd lab1-election && go test -run '^TestReElectionLab1$' -seed 8812";
// see runner.RerunCommand. Everything that prints a rerun line (the tests,
// the grader) uses it.
func RerunCommand(dir, test string, seed int64, realtime, race bool) string {
	return runner.RerunCommand(dir, test, seed, realtime, race)
}

// The reference's recorded costs live in package cost; these are its
// names as the grader knows them.

// ReferenceCost returns the reference solution's cost in the test named
// test, and whether one is recorded; see cost.Reference.
func ReferenceCost(test string) (Cost, bool) { return cost.Reference(test) }

// CostFactor is how many times the reference's cost a run must take, in
// RPCs, bytes or the test's clock, before CostNote remarks on it.
const CostFactor = cost.Factor

// CostNote says how a run's cost compares with the reference's when it is
// CostFactor times as much or more; see cost.Note.
func CostNote(got, ref Cost) string { return cost.Note(got, ref) }

// Seed sweeps live in package sweep; these are its names as cmd/sweep and
// cmd/variants know them.
type (
	// A Sweep runs tests across many seeds; see sweep.Sweep.
	Sweep = sweep.Sweep
	// SweepProgress is a sweep's state after one more run.
	SweepProgress = sweep.Progress
	// A SweepReport is what a sweep found.
	SweepReport = sweep.Report
	// A SweepFailure is one failing run of a sweep.
	SweepFailure = sweep.Failure
	// A SweepKind is a group of a sweep's failures alike but for their
	// numbers.
	SweepKind = sweep.Kind
)

// FailureKind is a failure of test without its numbers; see
// sweep.FailureKind.
func FailureKind(test string, res Result) string { return sweep.FailureKind(test, res) }
