package runner

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
// runs in, and what the watcher outside reads of the test, through the
// methods of watchdog.Test below. The heartbeat inside the bubble is the
// cluster's (Beat).

// Execute runs body in a bubble (or not, in real time), marking the bubble
// for the watcher, and turns panics that escape it, such as synctest's
// deadlock report, into a verdict. It closes done when body returns.
func (r *Run) Execute(t *testing.T, body func(*testing.T), done chan struct{}) {
	defer close(done)
	defer func() {
		v := recover()
		if v == nil || r.aborted.Load() || isClosed(r.finished) {
			return // after the end, leftovers were already reported as leaks
		}
		msg := fmt.Sprint(v)
		if strings.HasPrefix(msg, "deadlock") {
			r.Abort("deadlock: every goroutine of the test is blocked for ever and no timer is pending\n" +
				r.DescribeBlocked(r.BubbleGoroutines()))
			return
		}
		r.Abort(fmt.Sprintf("the test panicked: %v", v))
	}()
	if r.Settings.Realtime {
		body(t)
		return
	}
	synctest.Test(t, func(t *testing.T) {
		_, bubble := stacks.Self()
		r.bubble.Store(int64(bubble))
		body(t)
	})
}

// Watch waits for the test to end, and ends it when its clock stops or it
// uses too much real time (package watchdog).
func (r *Run) Watch(done chan struct{}) {
	watchdog.Watch(r, watchdog.Limits{
		Realtime:  r.Settings.Realtime,
		Stall:     r.Settings.Stall,
		Wallclock: r.Settings.Wallclock,
		Started:   r.started,
	}, done, r.ended, r.finished)
}

// Beat is one tick of the cluster's heartbeat, with the test's clock.
func (r *Run) Beat(elapsed time.Duration) {
	r.beats.Add(1)
	r.elapsed.Store(int64(elapsed))
}

// MakeStarts records that server i's Make is running, called by caller
// (see servers.Watcher); MakeReturned, that it has returned.
func (r *Run) MakeStarts(i int, caller string) {
	r.makeCaller.Store(&caller)
	r.making.Store(int32(i + 1))
}

// MakeReturned records that no Make is running.
func (r *Run) MakeReturned() { r.making.Store(0) }

// What the watchdog reads of the test (watchdog.Test).

func (r *Run) Beats() int64 { return r.beats.Load() }
func (r *Run) Making() int  { return int(r.making.Load()) }
func (r *Run) Leaked() bool { return r.leaked.Load() }

// InMake reports whether g is running a server's Make.
func (r *Run) InMake(g stacks.Goroutine) bool {
	caller := r.makeCaller.Load()
	return caller != nil && g.Calls(*caller)
}

// DescribeStuck explains why the clock stopped, from gs and the cluster.
// It is safe to call from outside the test's bubble: it only tries locks.
func (r *Run) DescribeStuck(gs []stacks.Goroutine) string {
	pointers, storms := stacks.ServerPointers(nil), ""
	if c := r.currentCluster(); c != nil {
		pointers, storms = c.ServerPointers(), c.Storms()
	}
	return stacks.DescribeStuck(gs, pointers, storms)
}

// DescribeBlocked lists the goroutines of a test that cannot go on, with
// what each waits for, naming each goroutine's server.
func (r *Run) DescribeBlocked(gs []stacks.Goroutine) string {
	var pointers stacks.ServerPointers
	if c := r.currentCluster(); c != nil {
		pointers = c.ServerPointers()
	}
	return stacks.DescribeBlocked(gs, pointers)
}

// Reader marks the calling goroutine as the one that reads server i's
// applyCh, and as the harness's own. callBack is the function through
// which the reader calls back into its server after each message, as
// goroutine dumps name it (stacks.FuncName of the function itself, so that
// a rename cannot hide the reader from ApplyUnderLock).
func (r *Run) Reader(i int, callBack string) {
	r.Helper()
	id, _ := stacks.Self()
	r.readers.Store(id, reader{server: i, callBack: callBack})
}

// A reader is one applyCh reader of the tests: its server, and the
// function through which it calls back into it.
type reader struct {
	server   int
	callBack string
}

// ApplyUnderLock recognises the tests' applyCh reader of some server
// waiting for that server's lock in its call back while a goroutine of the
// test sends on a channel. It returns the sender and the server.
func (r *Run) ApplyUnderLock(gs []stacks.Goroutine) (sender stacks.Goroutine, server int, ok bool) {
	server = -1
	for _, g := range gs {
		v, isReader := r.readers.Load(g.ID)
		if isReader && g.Calls(v.(reader).callBack) &&
			(strings.Contains(g.Status, "Mutex") || strings.Contains(g.Status, "semacquire")) {
			server = v.(reader).server
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

// BubbleGoroutines returns the goroutines of the test other than the
// harness's own: those of its bubble, or in real time those created since
// the test began.
func (r *Run) BubbleGoroutines() []stacks.Goroutine {
	return r.Blamable(r.Goroutines())
}

// Goroutines is BubbleGoroutines with the harness's own.
func (r *Run) Goroutines() []stacks.Goroutine {
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
func (r *Run) Blamable(gs []stacks.Goroutine) []stacks.Goroutine {
	var out []stacks.Goroutine
	for _, g := range gs {
		if _, helper := r.helpers.Load(g.ID); !helper {
			out = append(out, g)
		}
	}
	return out
}

// Helper marks the calling goroutine as part of the harness, so it is never
// blamed for a stall or reported as a leak.
func (r *Run) Helper() {
	id, _ := stacks.Self()
	r.helpers.Store(id, true)
}

// ElapsedSeconds is the test's clock at the heartbeat's latest tick.
func (r *Run) ElapsedSeconds() float64 {
	return time.Duration(r.elapsed.Load()).Seconds()
}

// RPCs returns how many RPCs the test's network has carried.
func (r *Run) RPCs() int64 {
	if net := r.network.Load(); net != nil {
		return int64(net.TotalCount())
	}
	return 0
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Heartbeat is the watchdog's half inside the bubble, run on a goroutine
// of its own until stopping is closed: it ticks the test's clock, which
// started at start, for the watcher outside (Beat), and ends a test that
// runs past limit on it, with the network's shapes (network) and what
// blocks, then calls shutDown.
func (r *Run) Heartbeat(start time.Time, limit time.Duration, stopping <-chan struct{}, network func() string, shutDown func()) {
	r.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stopping:
			return
		case <-tick.C:
		}
		elapsed := time.Since(start)
		r.Beat(elapsed)
		if elapsed > limit {
			r.Abort(fmt.Sprintf("the test did not finish within %v on its clock: something waits for ever "+
				"(a deadlock, or a call into Raft that never returns)\n  network: %s\n%s",
				limit, network(), r.DescribeBlocked(r.BubbleGoroutines())))
			shutDown()
			return
		}
	}
}
