package runner

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"raftlabs/labdebug"
	"raftlabs/labrpc"
	"raftlabs/labtest/internal/stacks"
	"raftlabs/labtest/internal/testproc"
	"raftlabs/labtest/internal/tracer"
)

// A Run is what the harness knows about one test while it runs, shared
// between the watcher outside the test's bubble and the cluster inside it:
// the verdict so far, the warnings, and what the watchdog reads. Only
// atomics, a mutex and channels made outside the bubble cross between the
// two.
type Run struct {
	Name     string
	Settings Settings

	started time.Time    // real time
	before  map[int]bool // goroutines that existed before the test

	bubble  atomic.Int64 // synctest bubble id, 0 in real time
	beats   atomic.Int64 // ticks of the cluster's heartbeat
	elapsed atomic.Int64 // the test's own clock, in nanoseconds
	aborted atomic.Bool  // the harness has given up on the test
	helpers sync.Map     // ids of the harness's own goroutines in the test
	readers sync.Map     // ids of the applyCh readers' goroutines, to their server
	making  atomic.Int32 // 1 + the server whose Make is running, or 0
	// makeCaller is the function that runs Make on its goroutine (servers.Watcher)
	makeCaller atomic.Pointer[string]
	network    atomic.Pointer[labrpc.Network]
	trace      atomic.Pointer[tracer.Tracer] // what the test did, for a failure
	stats      atomic.Pointer[Stats]
	leaked     atomic.Bool // goroutines were left running after the shutdown

	mu          sync.Mutex
	cluster     Cluster
	verdict     string            // the first failure, then up to maxAlsoFailed more
	first       *testproc.Failure // the first failure
	alsoFailed  int
	warnings    []string       // problems that cost no points in this test
	ended       chan struct{}  // closed when the watcher gives up on the test
	finished    chan struct{}  // closed when the cluster's shutdown is over
	afterChecks []func() error // checks to run after the bubble (AfterTest)
}

// Cluster is what a Run reads of the cluster the test built, from outside
// the test's bubble too: it must lock nothing it may wait for.
type Cluster interface {
	// Stats returns the summary line's numbers now.
	Stats() *Stats
	// ServerPointers names the running servers' Raft pointers.
	ServerPointers() stacks.ServerPointers
	// Storms describes the retry storms the test's RPCs show, or "".
	Storms() string
	// DescribeNetwork is the network's recent shapes, for a verdict.
	DescribeNetwork() string
}

// Stats is the summary line's numbers.
type Stats struct {
	Peers, RPCs, Commands int
	Bytes                 int64
	Elapsed               time.Duration // the scenario's time on the test's clock
}

// New returns the Run of the test called name, with settings s, starting
// now: every goroutine that exists now is not the test's.
func New(name string, s Settings) *Run {
	r := &Run{
		Name:     name,
		Settings: s,
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

// ClockName is the name of the test's clock: "virtual time" or "real
// time".
func (r *Run) ClockName() string {
	if r.Settings.Realtime {
		return "real time"
	}
	return "virtual time"
}

// SetCluster records the cluster the test built.
func (r *Run) SetCluster(c Cluster) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cluster = c
}

// currentCluster returns the cluster the test built, or nil before it is.
func (r *Run) currentCluster() Cluster {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cluster
}

// Fail records a failure of the test. The first is the verdict; a later
// one, such as a send on applyCh after Kill found at the end, is added
// below it so that it is not lost.
func (r *Run) Fail(f *testproc.Failure) {
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

// Warn records a problem that does not fail the test.
func (r *Run) Warn(warning string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, warning)
}

// Abort records the watcher's verdict, unless the test has already failed,
// and tells every part of the harness to stop touching the test.
func (r *Run) Abort(verdict string) {
	r.traceAbort(verdict)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.aborted.Load() {
		return
	}
	if r.verdict == "" {
		r.verdict = capVerdict(verdict)
		r.first = &testproc.Failure{Evidence: r.verdict}
	}
	r.aborted.Store(true)
	close(r.ended)
}

// Aborted reports whether the harness has given up on the test.
func (r *Run) Aborted() bool { return r.aborted.Load() }

// SetStats records the summary line's numbers, once the servers are
// killed at the end of the test.
func (r *Run) SetStats(stats *Stats) { r.stats.Store(stats) }

// SetLeaked records that goroutines were left running after the shutdown.
func (r *Run) SetLeaked() { r.leaked.Store(true) }

// ShutDownOver records that the cluster's shutdown at the end of the test
// is over.
func (r *Run) ShutDownOver() { close(r.finished) }

// Result is the test's Result, once it has ended or been abandoned.
func (r *Run) Result() testproc.Result {
	s := r.stats.Load()
	if c := r.currentCluster(); s == nil && c != nil {
		// The test was abandoned before it could finish. Its clock can only
		// be read inside the bubble: use the heartbeat's last reading.
		s = c.Stats()
		s.Elapsed = time.Duration(r.elapsed.Load())
	}
	if s == nil {
		s = &Stats{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	res := testproc.Result{
		Test:     r.Name,
		Passed:   r.verdict == "",
		Verdict:  r.verdict,
		Failure:  r.first,
		Warnings: r.warnings,
		Seed:     r.Settings.Seed,
		Realtime: r.Settings.Realtime,
		Virtual:  s.Elapsed,
		Real:     time.Since(r.started),
		Peers:    s.Peers,
		RPCs:     s.RPCs,
		Bytes:    s.Bytes,
		Commands: s.Commands,
		Rerun:    Rerun(r.Name, r.Settings),
	}
	if r.Settings.Realtime {
		res.Virtual = 0
	}
	return res
}

// AfterTest registers check to run once the test's bubble has ended
// (RunAfterChecks).
func (r *Run) AfterTest(check func() error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.afterChecks = append(r.afterChecks, check)
}

// RunAfterChecks runs the checks AfterTest registered, once the test's
// bubble has ended, and fails the test with the first that fails.
func (r *Run) RunAfterChecks() {
	r.mu.Lock()
	checks, failed := r.afterChecks, r.verdict != ""
	r.mu.Unlock()
	if failed || r.aborted.Load() {
		return
	}
	for _, check := range checks {
		err := check()
		if err == nil {
			continue
		}
		f := testproc.AsFailure(err)
		if c := r.currentCluster(); c != nil {
			f.Network = c.DescribeNetwork()
		}
		if tr := r.trace.Load(); tr != nil {
			tr.FailAt(time.Duration(r.elapsed.Load()), f)
		}
		r.mu.Lock()
		r.verdict = capVerdict(f.String())
		r.first = f
		r.mu.Unlock()
		return
	}
}

// maxVerdict bounds a verdict's size. A verdict this long is already
// unreadable; the bound keeps the report to the grader small whatever the
// code under test does (a Raft that starts goroutines without end, or
// terms by the thousand).
const maxVerdict = 64 << 10

// capVerdict cuts text to maxVerdict, keeping its start, where the cause
// is, and saying how much was cut.
func capVerdict(text string) string {
	if len(text) <= maxVerdict {
		return text
	}
	cut := strings.LastIndexByte(text[:maxVerdict], '\n')
	if cut < 0 {
		cut = maxVerdict
	}
	return fmt.Sprintf("%s\n(%d more bytes of this verdict cut)", text[:cut], len(text)-cut)
}

// NewRand returns the source of the harness's own choices in a test: the
// fuzzer's schedule when there is one, else a generator seeded with the
// test's seed.
func (r *Run) NewRand() *rand.Rand {
	if sch := r.Settings.Schedule; sch != nil {
		return rand.New(sch)
	}
	seed := uint64(r.Settings.Seed)
	return rand.New(rand.NewPCG(seed, seed^0x5eed))
}

// NewNetwork returns the test's network, its faults drawn from the
// fuzzer's schedule when there is one, else from the test's seed, and
// keeps it for the watchdog, which counts its RPCs. The network reuses
// handler goroutines (labrpc's SetHandlerReuse); the cluster closes it at
// the end of the test, which ends them, and an idle one is the harness's
// (stacks.Goroutine.IsHarness), never a leak or a suspect.
func (r *Run) NewNetwork() *labrpc.Network {
	var net *labrpc.Network
	if sch := r.Settings.Schedule; sch != nil {
		net = labrpc.NewNetworkSource(func(string) rand.Source { return sch })
	} else {
		net = labrpc.NewNetwork(r.Settings.Seed)
	}
	net.SetHandlerReuse(true)
	r.network.Store(net)
	return net
}

// StartTrace begins the test's trace, on the test's clock, which started
// at start, and points labdebug's lines at it (and turns on the topics
// -debug asks for), unless RAFTLABS_TRACE=off, which records nothing (to
// measure what recording costs).
func (r *Run) StartTrace(start time.Time) {
	labdebug.SetRecorder(nil)
	if spec, ok := DebugSpec(); ok {
		labdebug.Enable(spec)
	}
	if strings.EqualFold(os.Getenv("RAFTLABS_TRACE"), "off") {
		return
	}
	clock := "virtual"
	if r.Settings.Realtime {
		clock = "real"
	}
	tr := tracer.New(start, r.Name, r.Settings.Seed, clock)
	r.trace.Store(tr)
	labdebug.SetRecorder(tr.Recorder())
}

// Tracer returns the test's trace, or nil.
func (r *Run) Tracer() *tracer.Tracer { return r.trace.Load() }

// traceFailure ends the trace with the test's first failure, at the moment
// it was found. Called inside the test's bubble, where the clock is the
// test's own.
func (r *Run) traceFailure(f *testproc.Failure) {
	if tr := r.trace.Load(); tr != nil {
		tr.Fail(f)
	}
}

// traceAbort ends the trace with the watcher's verdict, at the last time
// the test's clock was seen: the watcher runs outside the bubble.
func (r *Run) traceAbort(verdict string) {
	if tr := r.trace.Load(); tr != nil {
		tr.Abort(time.Duration(r.elapsed.Load()), verdict)
	}
}

// WriteTrace writes the test's trace to a file if the test failed, or
// always with -savetrace, and names the file in the verdict (or, for a test
// that passed, on a line of its own).
func (r *Run) WriteTrace(res *testproc.Result) {
	tr := r.trace.Load()
	if tr == nil || res.Passed && !TraceAlways() {
		return
	}
	path := TraceFile(r.Name, r.Settings.Seed)
	lines, err := tr.Write(path, res)
	if err != nil {
		fmt.Printf("  trace: not written: %v\n", err)
		return
	}
	if res.Passed {
		fmt.Println(lines)
		return
	}
	res.Verdict += "\n" + lines
}
