// Package runner is a lab's test binary's side of a test's life around
// the scenario: the flags and environment that decide a run (Current: the
// seed, the clock, the limits, replay, tracing), starting the test again
// as a child process of its own with the same (Child), the child's one
// report to its parent (ReportAndExit), and what the parent prints after:
// the cost note, the verdict and the command that reruns the test; Test
// chooses among these for labtest's Run. In the child, Here runs the test
// in this process, and a Run is the test's account while it runs: the
// verdict (the first failure and up to two more), the warnings, the trace
// (StartTrace), the bubble the test runs in (Execute), the heartbeat
// inside it (Heartbeat) and what the watchdog outside it reads (Watch; Run
// implements watchdog.Test), its applyCh readers (Reader), and the end of
// the test: the wait for its goroutines after Kill (WaitForGoroutines) and
// what they and the background checks left (End).
//
// # Usage
//
// labtest's Run is its face; body builds the cluster on the run r
// (r.SetCluster(view)) and runs the scenario, in the test's bubble:
//
//	runner.Test(t, runner.Current(), func(t *testing.T, r *runner.Run) {
//		c := newCluster(t, r, newRaft)
//		defer c.finish() // ... r.End(t, ending)
//		scenario(c)
//	})
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
//   - A Run reads the cluster only through Cluster, a small interface
//     declared here, whose methods lock nothing they may wait for: the
//     watcher calls them from outside the bubble while the test's clock
//     is stopped.
//
// # Why this is a package of its own
//
// Deciding how a test runs, starting its process and keeping its account
// need the flags, the test's name, failures and a few numbers, never a
// scenario: as testing/synctest's Test is a face over the runtime's
// bubbles, labtest's Run is a face over this and package testproc, and
// builds the cluster and runs the scenario itself in the bubble. What the
// run must know of the cluster it reads through Cluster, so this package
// never imports labtest.
package runner
