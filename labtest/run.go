package labtest

import (
	"testing"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/runner"
	"raftlabs/raftapi"
)

// A Scenario is one test: a story told to a Cluster. Its doc comment is the
// test's description in the grader.
type Scenario func(c *Cluster)

// MakeFunc is the shape of a lab's Make, with the result widened to the
// interface the harness uses.
type MakeFunc func(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft

// Run runs scenario as the test t against the student's Make. It is the
// whole life of a test:
//
//   - unless -inprocess is given, it runs the test in a child process of
//     its own (the test binary started again for this one test), so that
//     whatever the code under test leaves behind dies with that process;
//   - it prints a header with the seed, and at the end a summary line,
//     with a note when the test took twice the reference's RPCs, bytes or
//     time on the test's clock or more (and, with -v, the reference's);
//   - it builds the cluster inside a testing/synctest bubble, so the test
//     runs on a virtual clock (unless -realtime or RAFTLABS_REALTIME=1);
//   - it watches the test from outside: a virtual clock that stops, a test
//     longer than -wallclock, or one past VirtualTimeLimit fails with the
//     goroutines to blame and why;
//   - when the scenario ends it kills every server, drains every applyCh,
//     and reports goroutines still running as a warning (as an error in
//     the Kill tests);
//   - a failure prints the verdict and the command that reruns the test
//     with the same seed.
//
// Make may return *Raft or raftapi.Raft. A test function calls Run once.
func Run[R raftapi.Raft](t *testing.T, scenario Scenario,
	makeRaft func(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) R) {
	t.Helper()
	s := runner.Current()
	newRaft := func(peers []*labrpc.ClientEnd, me int, p *raftapi.Persister, ch chan raftapi.ApplyMsg) raftapi.Raft {
		return makeRaft(peers, me, p, ch)
	}
	runner.Test(t, s, body(scenario, newRaft))
}

// body is the test inside its bubble: it builds the cluster on the run r
// and tells it scenario.
func body(scenario Scenario, newRaft MakeFunc) func(t *testing.T, r *runner.Run) {
	return func(t *testing.T, r *runner.Run) {
		c := newCluster(t, r, newRaft)
		defer c.finish()
		scenario(c)
	}
}

// VirtualTimeLimit is the longest a test may run on its own clock. A test
// that reaches it is stuck: a goroutine waits for ever while a timer keeps
// the clock moving.
const VirtualTimeLimit = 300 * time.Second
