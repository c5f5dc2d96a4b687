package labtest

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/labtest/internal/checks"
	"raftlabs/labtest/internal/exchanges"
	"raftlabs/labtest/internal/history"
	"raftlabs/labtest/internal/installs"
	"raftlabs/labtest/internal/persisted"
	"raftlabs/labtest/internal/receipts"
	"raftlabs/labtest/internal/revealed"
	"raftlabs/labtest/internal/runner"
	"raftlabs/labtest/internal/service"
	"raftlabs/raftapi"
)

// ElectionTimeout is how long the tests allow for one election: a
// follower's randomized timeout plus the votes. A leader lost is replaced
// within a few of these.
const ElectionTimeout = time.Second

// A Cluster is the servers of one test, the simulated network between them,
// and the checks on what they do. A scenario boots it, breaks things, and
// checks Raft's properties; any check that fails ends the test with the
// property's name, the evidence, and the network's shape.
//
// Servers are numbered 0 to n-1 and named s0, s1, ... in every message.
type Cluster struct {
	t       *testing.T
	run     *runner.Run
	newRaft MakeFunc
	start   time.Time // the test's clock at boot

	net *labrpc.Network

	mu         sync.Mutex
	rng        *rand.Rand
	n          int
	rafts      []raftapi.Raft // nil when crashed
	persisters []*raftapi.Persister
	generation []int      // instance number of each server, from 1
	killed     []int      // the instance of each server last killed, 0 if none
	endNames   [][]string // endNames[i][j]: the end server i uses to call j
	connected  []bool
	group      []int    // partition number; servers talk only within a group
	netHistory []string // each shape the network has had, with when it began
	probes     int      // RPCs the harness itself has sent

	leaders   map[int]sighting     // election safety: the leader seen in each term
	history   *history.History     // roles and terms seen, for failures (package history)
	revealed  *revealed.Revealed   // terms and votes the servers showed, for crashes (package revealed)
	receipts  *receipts.Receipts   // what reached each server (package receipts)
	installs  *installs.Installs   // the InstallSnapshots each server answered (package installs)
	unsaved   *persisted.Unsaved   // entries vouched for before they were saved (package persisted)
	exchanges *exchanges.Exchanges // what leaders sent followers, for stalls (package exchanges)
	applies   *service.Checker     // what each server's service was sent (package service)
	drains    atomic.Int32         // drain goroutines running
	baseline  goroutineCount
	reported  bool          // a background problem has failed the test
	leaksFail bool          // goroutines left after Kill fail this test (the Kill tests)
	stopping  chan struct{} // closed to stop the harness's own goroutines
	problems  problemsBaseline

	observersMu sync.Mutex
	observers   []func(labrpc.Event) // a hosted service's tests' own (Observe)

	// snapshotEvery is how many applied entries pass between the service's
	// snapshots, 0 for none (lab 4: the Snapshots option, service.go).
	snapshotEvery int
}

// goroutineCount is how many goroutines the process had when the cluster
// was made, its heartbeat included: a cheap first test for leaks.
type goroutineCount int

// sighting is one server seen believing it leads a term.
type sighting = checks.Sighting

// problemsBaseline marks what the codec and network had reported before
// the test, so only the test's own are charged to it. The codec's mark
// charges a problem again in every test that meets it, even one first met
// in an init before the test began.
type problemsBaseline struct {
	codec   labgob.Mark
	network int
}

func newCluster(t *testing.T, r *runner.Run, newRaft MakeFunc) *Cluster {
	c := &Cluster{
		t:        t,
		run:      r,
		newRaft:  newRaft,
		start:    time.Now(),
		rng:      r.NewRand(),
		leaders:  map[int]sighting{},
		stopping: make(chan struct{}),
		problems: problemsBaseline{codec: labgob.NewMark()},
		baseline: goroutineCount(runtime.NumGoroutine() + 1),
	}
	c.startTrace()
	r.SetCluster(clusterView{c})
	go c.heartbeat()
	return c
}

// Boot starts n servers, all connected, each with an empty persister.
func (c *Cluster) Boot(n int, opts ...Option) {
	c.t.Helper()
	c.net = c.run.NewNetwork()
	c.history = history.New(n, ElectionTimeout)
	c.revealed = revealed.New()
	c.receipts = receipts.New(n)
	c.installs = installs.New()
	c.unsaved = persisted.New(c.start, n, c.persisterOf, c.receipts)
	c.exchanges = exchanges.New()
	taught := c.persistenceTaught()
	var calls history.Calls // a call's events share what is read of its arguments
	c.net.Observe(func(ev labrpc.Event) {
		e := calls.Event(ev)
		c.history.Observe(e)
		c.revealed.Observe(e)
		c.receipts.Observe(e)
		c.installs.Observe(e)
		c.exchanges.Observe(e)
		if taught {
			c.unsaved.Observe(e)
		}
		c.traceRPC(e)
		c.observersMu.Lock()
		observers := c.observers
		c.observersMu.Unlock()
		for _, f := range observers {
			f(ev)
		}
	})
	c.traceBoot(n)
	c.net.SetLongDelays(true) // a call to a cut-off server fails only after up to 7s, as over TCP
	c.problems.network = len(c.net.Problems())
	for _, opt := range opts {
		opt.apply(c)
	}
	c.mu.Lock()
	c.n = n
	c.rafts = make([]raftapi.Raft, n)
	c.persisters = make([]*raftapi.Persister, n)
	c.generation = make([]int, n)
	c.killed = make([]int, n)
	c.endNames = make([][]string, n)
	c.connected = make([]bool, n)
	c.group = make([]int, n)
	c.applies = service.New(n, c.receipts, c.installs)
	for i := range n {
		c.persisters[i] = raftapi.MakePersister()
		c.connected[i] = true
	}
	c.mu.Unlock()
	for i := range n {
		c.startServer(i)
	}
	c.relink()
}

// N returns the number of servers.
func (c *Cluster) N() int { return c.n }

// Next returns the server after i, wrapping around.
func (c *Cluster) Next(i int) int { return (i + 1) % c.n }

// Rand returns a random number in [0, n) from the test's seeded source.
func (c *Cluster) Rand(n int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rng.IntN(n)
}

// pick returns k distinct servers chosen at random from the test's seeded
// source.
func (c *Cluster) pick(k int) []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rng.Perm(c.n)[:k]
}

// Sleep lets d pass on the test's clock, then checks that nothing the
// harness watches for in the background (applies, the codec, the network)
// has gone wrong.
func (c *Cluster) Sleep(d time.Duration) {
	c.t.Helper()
	c.alive()
	time.Sleep(d)
	c.checkBackground()
}

// Now returns how long the test has been running on its own clock.
func (c *Cluster) Now() time.Duration { return time.Since(c.start) }

// SetReliable switches the network's message loss and short delays off or on.
func (c *Cluster) SetReliable(reliable bool) { c.net.SetReliable(reliable) }

// SetLongReordering switches long reply delays on or off.
func (c *Cluster) SetLongReordering(on bool) { c.net.SetLongReordering(on) }

// RPCCount returns how many RPCs server i has received.
func (c *Cluster) RPCCount(i int) int { return c.net.Count(serverName(i)) }

// BytesTo returns how many request bytes have been delivered to server i.
func (c *Cluster) BytesTo(i int) int64 { return c.net.Bytes(serverName(i)) }

// RPCTotal returns how many RPCs have been sent in the whole test.
func (c *Cluster) RPCTotal() int { return c.net.TotalCount() }

// BytesTotal returns how many request bytes have been sent in the test.
func (c *Cluster) BytesTotal() int64 { return c.net.TotalBytes() }

// CallsFrom returns how many RPCs server i's latest incarnation has made,
// whatever became of them: a crashed server's calls through its cut-off
// ends count too.
func (c *Cluster) CallsFrom(i int) int {
	c.mu.Lock()
	names := c.endNames[i]
	c.mu.Unlock()
	n := 0
	for _, cc := range c.net.CallCounts() {
		if slices.Contains(names, cc.End) {
			n += cc.Calls
		}
	}
	return n
}

// scenarioLine returns "lab1.go:16": the line of the scenario (or of the
// test that called Run with its own scenario) that is running the check
// that failed.
func scenarioLine() string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		// labtest/internal/... is the harness's machinery, never a scenario.
		if isScenarioFrame(f) && !strings.HasPrefix(f.Function, "raftlabs/labtest/internal/") {
			return fmt.Sprintf("%s:%d", f.File[strings.LastIndexByte(f.File, '/')+1:], f.Line)
		}
		if !more {
			return ""
		}
	}
}

// isScenarioFrame reports whether f is in a scenario: a labN*.go file of
// the harness, or any code outside the harness that is not Go's own.
func isScenarioFrame(f runtime.Frame) bool {
	file := f.File[strings.LastIndexByte(f.File, '/')+1:]
	if isHarnessFunction(f.Function) {
		return strings.HasPrefix(file, "lab") && !strings.HasSuffix(file, "_test.go") ||
			strings.HasSuffix(file, "_test.go")
	}
	return !strings.HasPrefix(f.Function, "runtime.") && !strings.HasPrefix(f.Function, "testing.") &&
		!strings.HasPrefix(f.Function, "raftlabs/labrpc.") && !strings.HasPrefix(f.Function, "raftlabs/raftapi.")
}

// isHarnessFunction reports whether the function named fn is labtest's,
// its machinery's (labtest/internal) or that of a package testing a
// service on Raft (ServiceBindings, hosted.go).
func isHarnessFunction(fn string) bool {
	if strings.HasPrefix(fn, "raftlabs/labtest.") || strings.HasPrefix(fn, "raftlabs/labtest/internal/") {
		return true
	}
	for pkg := range ServiceBindings {
		if strings.HasPrefix(fn, "raftlabs/"+pkg+".") {
			return true
		}
	}
	return false
}

// alive blocks for ever once the harness has given up on the test, so a
// scenario that wakes up late never touches a finished test.
func (c *Cluster) alive() {
	if c.run.Aborted() {
		select {}
	}
}
