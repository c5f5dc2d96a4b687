package runner

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"raftlabs/labtest/internal/stacks"
	"raftlabs/labtest/internal/testproc"
)

// WaitForGoroutines waits up to wait for the test's goroutines to end, and
// returns those still running. If all that is left are RPCs on their way
// through the network (a call to a cut-off server may take 7s to fail, a
// reply may be held back 2.2s), it waits up to wait more: a reply handler
// that acts once on a reply that came after Kill, sending one more RPC,
// and then stops is not a leak; one that goes on sending still is. own
// returns how many goroutines the process has when none of the test's is
// left: the harness's own, which may change as it runs (the applyCh
// readers end with their applyCh).
func (r *Run) WaitForGoroutines(wait time.Duration, own func() int) []stacks.Goroutine {
	leaks := r.waitUntil(time.Now().Add(wait), own)
	if len(leaks) == 0 {
		return nil
	}
	if _, others := stacks.LateCalls(leaks); len(others) > 0 {
		return leaks
	}
	return r.waitUntil(time.Now().Add(wait), own)
}

// waitUntil waits until the test's goroutines have ended or deadline has
// passed, and returns those still running. Counting goroutines is cheap;
// a stack dump to see whose they are is not, so it dumps only when the
// count says the test's own are gone, or at the deadline.
func (r *Run) waitUntil(deadline time.Time, own func() int) []stacks.Goroutine {
	for {
		if runtime.NumGoroutine() <= own() {
			if leaks := r.leaks(); len(leaks) == 0 {
				return nil
			}
		}
		if !time.Now().Before(deadline) {
			return r.leaks()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// leaks returns the test's goroutines other than the harness's and the
// caller.
func (r *Run) leaks() []stacks.Goroutine {
	me, _ := stacks.Self()
	var gs []stacks.Goroutine
	for _, g := range r.BubbleGoroutines() {
		if g.ID != me && !g.IsHarness() {
			gs = append(gs, g)
		}
	}
	return gs
}

// An Ending is what a test left when its scenario returned and its
// servers were killed.
type Ending struct {
	Problem   *testproc.Failure  // the first problem found in the background, not yet reported; nil if none
	Warnings  []string           // the codec's warnings, which cost no points
	Leaks     []stacks.Goroutine // the goroutines still running after the wait (WaitForGoroutines)
	Waited    time.Duration      // how long the harness waited for them
	LeaksFail bool               // leaks fail this test (the Kill tests), rather than warn
}

// End records how the test ended: a problem fails t; goroutines left
// after Kill fail it in the tests that check Kill and are a warning, which
// costs no points, in the others.
func (r *Run) End(t *testing.T, e Ending) {
	if e.Problem != nil {
		r.Fail(e.Problem)
		t.Fail()
	}
	for _, w := range e.Warnings {
		r.Warn("labgob: " + w + "\n(This costs no points.)")
	}
	if len(e.Leaks) == 0 {
		return
	}
	r.SetLeaked()
	report := stacks.DescribeLeaks(e.Leaks, e.Waited)
	if e.LeaksFail {
		r.Fail(&testproc.Failure{Evidence: report})
		t.Fail()
	} else {
		r.Warn(strings.TrimRight(report, "\n") + "\n(This costs no points here; the Kill test of each lab checks it.)")
	}
}
