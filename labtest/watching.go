package labtest

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"raftlabs/labtest/internal/stacks"
	"raftlabs/labtest/internal/watchdog"
)

// The run's side of the watchdog (package watchdog): the bubble the test
// runs in, the heartbeat inside it, and what the watcher outside reads of
// the test, through the methods of watchdog.Test below.

// execute runs body in a bubble (or not, in real time) and turns panics
// that escape it, such as synctest's deadlock report, into a verdict.
func (r *run) execute(t *testing.T, body func(*testing.T), done chan struct{}) {
	defer close(done)
	defer func() {
		v := recover()
		if v == nil || r.aborted.Load() || isClosed(r.finished) {
			return // after the end, leftovers were already reported as leaks
		}
		msg := fmt.Sprint(v)
		if strings.HasPrefix(msg, "deadlock") {
			r.abort("deadlock: every goroutine of the test is blocked for ever and no timer is pending\n" +
				describeBlocked(r.bubbleGoroutines(), r.cluster()))
			return
		}
		r.abort(fmt.Sprintf("the test panicked: %v", v))
	}()
	if r.settings.Realtime {
		body(t)
		return
	}
	synctest.Test(t, body)
}

// watch waits for the test to end, and ends it when its clock stops or it
// uses too much real time (package watchdog).
func (r *run) watch(done chan struct{}) {
	watchdog.Watch(r, watchdog.Limits{
		Realtime:  r.settings.Realtime,
		Stall:     r.settings.Stall,
		Wallclock: r.settings.Wallclock,
		Started:   r.started,
	}, done, r.ended, r.finished)
}

// What the watchdog reads of the test (watchdog.Test).

func (r *run) Beats() int64         { return r.beats.Load() }
func (r *run) Making() int          { return int(r.making.Load()) }
func (r *run) Leaked() bool         { return r.leaked.Load() }
func (r *run) Abort(verdict string) { r.abort(verdict) }

// DescribeStuck explains why the clock stopped, from gs and the cluster.
func (r *run) DescribeStuck(gs []stacks.Goroutine) string { return describeStuck(gs, r.cluster()) }

// ApplyUnderLock recognises the tests' applyCh reader of some server
// waiting for that server's lock in GetState while a goroutine of the test
// sends on a channel. It returns the sender and the server.
func (r *run) ApplyUnderLock(gs []stacks.Goroutine) (sender stacks.Goroutine, server int, ok bool) {
	server = -1
	for _, g := range gs {
		i, isReader := r.readers.Load(g.ID)
		if isReader && g.Calls("raftlabs/labtest.(*Cluster).serviceCall") &&
			(strings.Contains(g.Status, "Mutex") || strings.Contains(g.Status, "semacquire")) {
			server = i.(int)
		}
	}
	if server < 0 {
		return stacks.Goroutine{}, 0, false
	}
	for _, g := range gs {
		if _, helper := r.helpers.Load(g.ID); !helper && strings.HasPrefix(g.Status, "chan send") {
			return g, server, true
		}
	}
	return stacks.Goroutine{}, 0, false
}

// bubbleGoroutines returns the goroutines of the test other than the
// harness's own: those of its bubble, or in real time those created since
// the test began.
func (r *run) bubbleGoroutines() []stacks.Goroutine {
	return r.Blamable(r.Goroutines())
}

// Goroutines is bubbleGoroutines with the harness's own.
func (r *run) Goroutines() []stacks.Goroutine {
	var gs []stacks.Goroutine
	bubble := int(r.bubble.Load())
	for _, g := range stacks.All() {
		if (bubble != 0 && g.Bubble == bubble) || (bubble == 0 && !r.before[g.ID]) {
			gs = append(gs, g)
		}
	}
	return gs
}

// Blamable leaves out of gs the harness's own goroutines.
func (r *run) Blamable(gs []stacks.Goroutine) []stacks.Goroutine {
	var out []stacks.Goroutine
	for _, g := range gs {
		if _, helper := r.helpers.Load(g.ID); !helper {
			out = append(out, g)
		}
	}
	return out
}

// helper marks the calling goroutine as part of the harness, so it is never
// blamed for a stall or reported as a leak.
func (r *run) helper() {
	r.helpers.Store(stacks.Current().ID, true)
}

// ElapsedSeconds is the test's clock at the heartbeat's latest tick.
func (r *run) ElapsedSeconds() float64 {
	return time.Duration(r.elapsed.Load()).Seconds()
}

// RPCs returns how many RPCs the test's network has carried.
func (r *run) RPCs() int64 {
	if net := r.network.Load(); net != nil {
		return int64(net.TotalCount())
	}
	return 0
}

// heartbeat is the watchdog's half inside the bubble: it ticks the test's
// clock for the watcher outside, and ends a test that runs past
// VirtualTimeLimit.
func (c *Cluster) heartbeat() {
	c.run.helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.stopping:
			return
		case <-tick.C:
		}
		elapsed := time.Since(c.start)
		c.run.beats.Add(1)
		c.run.elapsed.Store(int64(elapsed))
		if elapsed > VirtualTimeLimit {
			c.run.abort(fmt.Sprintf("the test did not finish within %v on its clock: something waits for ever "+
				"(a deadlock, or a call into Raft that never returns)\n  network: %s\n%s",
				VirtualTimeLimit, c.describeNetwork(), describeBlocked(c.run.bubbleGoroutines(), c)))
			c.shutDown()
			return
		}
	}
}
