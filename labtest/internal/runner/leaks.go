package runner

import (
	"runtime"
	"time"

	"raftlabs/labtest/internal/stacks"
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
	me := stacks.Current().ID
	var gs []stacks.Goroutine
	for _, g := range r.BubbleGoroutines() {
		if g.ID != me && !g.IsHarness() {
			gs = append(gs, g)
		}
	}
	return gs
}
