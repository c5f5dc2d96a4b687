package labtest

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/runner"
	"raftlabs/labtest/internal/stacks"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/tracer"
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
	switch {
	case testproc.Reporter != nil:
		// A child process: run here, tell the parent, and end. The process
		// exists for this one test, and ending it now means that nothing
		// the test left behind (goroutines that never stop, a bubble that
		// synctest is still tearing down) can touch the testing package
		// after the test function has returned. Under -race, a race found
		// during the test still sets the exit status (66).
		runner.ReportAndExit(t, runHere(t, scenario, newRaft, s))
	case s.InProcess:
		res := runHere(t, scenario, newRaft, s)
		runner.PrintCost(&res)
		runner.PrintVerdict(&res)
		if !res.Passed {
			t.Fail()
		}
	default:
		res := runner.Child(t, s)
		runner.PrintCost(&res)
		runner.PrintVerdict(&res)
		if !res.Passed {
			t.Fail()
		}
	}
}

// runHere runs the test in this process and returns its result.
func runHere(t *testing.T, scenario Scenario, newRaft MakeFunc, s runner.Settings) Result {
	r := newRun(t.Name(), s)
	if s.Replay {
		testproc.EnterReplay(s.Seed)
	}
	fmt.Printf("Test %s: seed %d, %s\n", r.name, r.settings.Seed, r.clockName())
	body := func(t *testing.T) {
		c := newCluster(t, r, newRaft)
		defer c.finish()
		scenario(c)
	}
	done := make(chan struct{})
	go r.execute(t, body, done)
	r.watch(done)
	r.runAfterChecks() // hosted.go
	res := r.result()
	r.writeTrace(&res)
	for _, w := range res.Warnings {
		fmt.Printf("  warning: %s\n", strings.ReplaceAll(strings.TrimRight(w, "\n"), "\n", "\n  "))
	}
	fmt.Println(res.Summary())
	return res
}

// VirtualTimeLimit is the longest a test may run on its own clock. A test
// that reaches it is stuck: a goroutine waits for ever while a timer keeps
// the clock moving.
const VirtualTimeLimit = 300 * time.Second

// run is what Run knows about one test, shared between the watcher outside
// the bubble and the cluster inside it. Only atomics, a mutex and channels
// made outside the bubble cross between the two.
type run struct {
	name     string
	settings runner.Settings
	started  time.Time    // real time
	before   map[int]bool // goroutines that existed before the test

	bubble  atomic.Int64 // synctest bubble id, 0 in real time
	beats   atomic.Int64 // ticks of the cluster's heartbeat
	elapsed atomic.Int64 // the test's own clock, in nanoseconds
	aborted atomic.Bool  // the harness has given up on the test
	helpers sync.Map     // ids of the harness's own goroutines in the test
	readers sync.Map     // ids of the applyCh readers' goroutines, to their server
	making  atomic.Int32 // 1 + the server whose Make is running, or 0
	network atomic.Pointer[labrpc.Network]
	trace   atomic.Pointer[tracer.Tracer] // what the test did, for a failure (trace.go)
	stats   atomic.Pointer[stats]

	mu         sync.Mutex
	current    *Cluster
	verdict    string   // the first failure, then up to maxAlsoFailed more
	first      *Failure // the first failure
	alsoFailed int
	warnings   []string      // problems that cost no points in this test
	ended      chan struct{} // closed when the watcher gives up on the test
	finished   chan struct{} // closed when the cluster's shutdown is over
	leaked     atomic.Bool   // goroutines were left running after the shutdown

	afterChecks []func() error // checks to run after the bubble (hosted.go)
}

// stats is the summary line's numbers.
type stats struct {
	peers, rpcs, commands int
	bytes                 int64
	elapsed               time.Duration // the scenario's time on the test's clock
}

func newRun(name string, s runner.Settings) *run {
	r := &run{
		name:     name,
		settings: s,
		started:  time.Now(),
		before:   map[int]bool{},
		ended:    make(chan struct{}),
		finished: make(chan struct{}),
	}
	for _, g := range stacks.All() {
		r.before[g.ID] = true
	}
	return r
}

func (r *run) clockName() string {
	if r.settings.Realtime {
		return "real time"
	}
	return "virtual time"
}

// fail records a failure of the test. The first is the verdict; a later
// one, such as a send on applyCh after Kill found at the end, is added
// below it so that it is not lost.
func (r *run) fail(f *Failure) {
	r.traceFailure(f)
	r.mu.Lock()
	defer r.mu.Unlock()
	f.Evidence = capVerdict(f.Evidence)
	verdict := capVerdict(f.String())
	switch {
	case r.verdict == "":
		r.verdict = verdict
		r.first = f
	case r.alsoFailed < maxAlsoFailed && !strings.Contains(r.verdict, verdict):
		r.alsoFailed++
		r.verdict += "\nalso: " + verdict
	}
}

// maxAlsoFailed is how many failures after the first a verdict lists.
const maxAlsoFailed = 2

// warn records a problem that does not fail the test.
func (r *run) warn(warning string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, warning)
}

// abort records the watcher's verdict, unless the test has already failed,
// and tells every part of the harness to stop touching the test.
func (r *run) abort(verdict string) {
	r.traceAbort(verdict)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.aborted.Load() {
		return
	}
	if r.verdict == "" {
		r.verdict = capVerdict(verdict)
		r.first = &Failure{Evidence: r.verdict}
	}
	r.aborted.Store(true)
	close(r.ended)
}

// cluster returns the cluster the test built, or nil before Boot.
func (r *run) cluster() *Cluster {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current
}

// result is the test's Result, once it has ended or been abandoned.
func (r *run) result() Result {
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
	r.mu.Lock()
	defer r.mu.Unlock()
	res := Result{
		Test:     r.name,
		Passed:   r.verdict == "",
		Verdict:  r.verdict,
		Failure:  r.first,
		Warnings: r.warnings,
		Seed:     r.settings.Seed,
		Realtime: r.settings.Realtime,
		Virtual:  s.elapsed,
		Real:     time.Since(r.started),
		Peers:    s.peers,
		RPCs:     s.rpcs,
		Bytes:    s.bytes,
		Commands: s.commands,
		Rerun:    runner.Rerun(r.name, r.settings),
	}
	if r.settings.Realtime {
		res.Virtual = 0
	}
	return res
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
