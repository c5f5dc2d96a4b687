package labtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"raftlabs/labrpc"
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
//   - it prints a header with the seed, and at the end a summary line;
//   - it builds the cluster inside a testing/synctest bubble, so the test
//     runs on a virtual clock (unless -realtime or RAFTLABS_REALTIME=1);
//   - it watches the test from outside: a virtual clock that stops for
//     -stall of real time, a test longer than -wallclock, or one past
//     VirtualTimeLimit fails with the goroutines to blame and why;
//   - when the scenario ends it kills every server, drains every applyCh,
//     and reports goroutines still running as leaks;
//   - a failure prints the command that reruns the test with the same seed.
//
// Make may return *Raft or raftapi.Raft.
func Run[R raftapi.Raft](t *testing.T, scenario Scenario,
	makeRaft func(peers []*labrpc.ClientEnd, me int, persister *raftapi.Persister, applyCh chan raftapi.ApplyMsg) R) {
	t.Helper()
	r := newRun(t.Name(), currentSettings())
	fmt.Printf("Test %s: seed %d, %s\n", r.name, r.settings.seed, r.clockName())

	newRaft := func(peers []*labrpc.ClientEnd, me int, p *raftapi.Persister, ch chan raftapi.ApplyMsg) raftapi.Raft {
		return makeRaft(peers, me, p, ch)
	}
	body := func(t *testing.T) {
		c := newCluster(t, r, newRaft)
		defer c.finish()
		scenario(c)
	}
	done := make(chan struct{})
	go r.execute(t, body, done)
	r.watch(done)
	if v := r.verdictText(); v != "" {
		t.Error(v)
	}
	r.printSummary(t.Failed())
}

// run is what Run knows about one test, shared between the watcher outside
// the bubble and the cluster inside it. Only atomics, a mutex and channels
// made outside the bubble cross between the two.
type run struct {
	name     string
	settings settings
	started  time.Time    // real time
	before   map[int]bool // goroutines that existed before the test

	bubble  atomic.Int64 // synctest bubble id, 0 in real time
	beats   atomic.Int64 // ticks of the cluster's heartbeat
	elapsed atomic.Int64 // the test's own clock, in nanoseconds
	aborted atomic.Bool  // the harness has given up on the test
	helpers sync.Map     // ids of the harness's own goroutines in the test
	stats   atomic.Pointer[stats]

	mu       sync.Mutex
	current  *Cluster
	verdict  string
	ended    chan struct{} // closed when a verdict is set
	finished chan struct{} // closed when the cluster's shutdown is over
}

// stats is the summary line's numbers.
type stats struct {
	peers, rpcs, commands int
	bytes                 int64
	elapsed               time.Duration // the scenario's time on the test's clock
}

func newRun(name string, s settings) *run {
	r := &run{
		name:     name,
		settings: s,
		started:  time.Now(),
		before:   map[int]bool{},
		ended:    make(chan struct{}),
		finished: make(chan struct{}),
	}
	for _, g := range goroutines() {
		r.before[g.id] = true
	}
	return r
}

func (r *run) clockName() string {
	if r.settings.realtime {
		return "real time"
	}
	return "virtual time"
}

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
				describeBlocked(r.bubbleGoroutines()))
			return
		}
		r.abort(fmt.Sprintf("the test panicked: %v", v))
	}()
	if r.settings.realtime {
		body(t)
		return
	}
	synctest.Test(t, body)
}

// watch waits for the test to end, and ends it when its clock stops or it
// uses too much real time.
func (r *run) watch(done chan struct{}) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	lastBeats, lastMove := r.beats.Load(), time.Now()
	for {
		select {
		case <-done:
			return
		case <-r.ended:
			return
		case <-r.finished:
			// Leaked goroutines can keep the bubble alive for ever; they
			// have been reported, so wait for them only briefly.
			select {
			case <-done:
			case <-time.After(2 * time.Second):
			}
			return
		case now := <-tick.C:
			if b := r.beats.Load(); b != lastBeats {
				lastBeats, lastMove = b, now
			}
			switch {
			case !r.settings.realtime && now.Sub(lastMove) > r.settings.stall:
				r.abort(fmt.Sprintf("virtual time stopped at %.2fs: for %v of real time some goroutine of the test "+
					"never blocked, so the clock could not advance\n%s",
					r.elapsedSeconds(), r.settings.stall, describeStuck(r.bubbleGoroutines())))
			case now.Sub(r.started) > r.settings.wallclock:
				r.abort(fmt.Sprintf("the test used %v of real time (its clock had reached %.2fs) without finishing: "+
					"the code under test is far too slow or spins\n%s",
					r.settings.wallclock, r.elapsedSeconds(), describeStuck(r.bubbleGoroutines())))
			default:
				continue
			}
			// The test's goroutines are left as they are: nothing may be done
			// to a bubble from outside it (waking a sync.Cond there is a
			// fatal error), so a loop that spins goes on spinning until the
			// process exits. The grader runs each test in its own process.
			return
		}
	}
}

// abort records the first verdict and tells every part of the harness to
// stop touching the test.
func (r *run) abort(verdict string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.aborted.Load() {
		return
	}
	r.verdict = verdict
	r.aborted.Store(true)
	close(r.ended)
}

func (r *run) verdictText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.verdict
}

// bubbleGoroutines returns the goroutines of the test: those of its bubble,
// or in real time those created since the test began.
func (r *run) bubbleGoroutines() []goroutine {
	var gs []goroutine
	bubble := int(r.bubble.Load())
	for _, g := range goroutines() {
		if _, helper := r.helpers.Load(g.id); helper {
			continue
		}
		if (bubble != 0 && g.bubble == bubble) || (bubble == 0 && !r.before[g.id]) {
			gs = append(gs, g)
		}
	}
	return gs
}

// helper marks the calling goroutine as part of the harness, so it is never
// blamed for a stall or reported as a leak.
func (r *run) helper() {
	r.helpers.Store(currentGoroutine().id, true)
}

func (r *run) elapsedSeconds() float64 {
	return time.Duration(r.elapsed.Load()).Seconds()
}

// cluster returns the cluster the test built, or nil before Boot.
func (r *run) cluster() *Cluster {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current
}

// printSummary prints the test's summary line, and the rerun command after a
// failure. The grader reads the line; keep its format.
func (r *run) printSummary(failed bool) {
	result := "passed"
	if failed {
		result = "FAILED"
	}
	s := r.stats.Load()
	if c := r.cluster(); s == nil && c != nil {
		// The test was abandoned before it could finish. Its clock can only
		// be read inside the bubble: use the heartbeat's last reading.
		s = c.currentStats()
		s.elapsed = time.Duration(r.elapsed.Load())
	}
	if s == nil {
		s = &stats{}
	}
	clock := fmt.Sprintf("%.2fs virtual  %.2fs real", s.elapsed.Seconds(), time.Since(r.started).Seconds())
	if r.settings.realtime {
		clock = fmt.Sprintf("%.2fs real", time.Since(r.started).Seconds())
	}
	fmt.Printf("  %s  %s  %d peers  %d RPCs  %d bytes  %d commands\n", result, clock, s.peers, s.rpcs, s.bytes, s.commands)
	if failed {
		fmt.Printf("  rerun: %s\n", r.rerunCommand())
	}
}

// rerunCommand is the one command that replays this test's choices.
func (r *run) rerunCommand() string {
	cmd := fmt.Sprintf("go test -run '^%s$' -seed %d", r.name, r.settings.seed)
	if r.settings.realtime {
		cmd += " -realtime"
	}
	if raceEnabled {
		cmd += " -race"
	}
	if wd, err := os.Getwd(); err == nil {
		cmd = fmt.Sprintf("(in %s/) %s", filepath.Base(wd), cmd)
	}
	return cmd
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
