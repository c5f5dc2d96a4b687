// Package runner is a lab's test binary's side of a test's life outside
// the test itself: the flags and environment that decide a run (Current:
// the seed, the clock, the limits, replay, tracing), starting the test
// again as a child process of its own with the same (Child), the child's
// one report to its parent (ReportAndExit), and what the parent prints
// after: the cost note, the verdict and the command that reruns the test.
//
// # Usage
//
// labtest's Run is its face:
//
//	s := runner.Current()
//	switch {
//	case testproc.Reporter != nil: // the child
//		runner.ReportAndExit(t, runHere(t, scenario, newRaft, s))
//	default: // the parent
//		res := runner.Child(t, s)
//		runner.PrintCost(&res)
//		runner.PrintVerdict(&res)
//	}
//
// # Guarantees
//
//   - The flags are registered only in test binaries (testing.Testing), so
//     a command that imports labtest for its list of tests keeps its own;
//     each flag has an environment variable twin (RAFTLABS_SEED, ...), and
//     a flag given on the command line wins.
//   - A seed is always chosen here, before the child starts, so that the
//     rerun command printed for any run replays it exactly.
//   - A child ends as soon as its report is sent, so nothing its test left
//     behind can touch the testing package afterwards.
//
// # Why this is a package of its own
//
// Deciding how a test runs and starting its process needs the flags, the
// test's name and a Result, never the Cluster or a scenario: as
// testing/synctest's Test is a face over the runtime's bubbles, labtest's
// Run is a face over this and package testproc, and runs the scenario
// itself in the bubble; this package never imports labtest.
package runner
