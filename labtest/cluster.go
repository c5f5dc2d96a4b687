package labtest

import (
	"math/rand/v2"
	"runtime"
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
	"raftlabs/labtest/internal/records"
	"raftlabs/labtest/internal/revealed"
	"raftlabs/labtest/internal/runner"
	"raftlabs/labtest/internal/servers"
	"raftlabs/labtest/internal/service"
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

	mu      sync.Mutex
	rng     *rand.Rand
	n       int
	servers *servers.Servers // the instances, their disks and the network's shape (package servers); set under mu

	leaders   checks.Leaders       // election safety: the leader seen in each term
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
	// snapshots, 0 for none (lab 4: the Snapshots option, package service).
	snapshotEvery int
}

// goroutineCount is how many goroutines the process had when the cluster
// was made, its heartbeat included: a cheap first test for leaks.
type goroutineCount int

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
		stopping: make(chan struct{}),
		problems: problemsBaseline{codec: labgob.NewMark()},
		baseline: goroutineCount(runtime.NumGoroutine() + 1),
	}
	c.run.StartTrace(c.start)
	r.SetCluster(clusterView{c})
	go c.run.Heartbeat(c.start, VirtualTimeLimit, c.stopping, c.describeNetwork, c.shutDown)
	return c
}

// Boot starts n servers, all connected, each with an empty persister.
func (c *Cluster) Boot(n int, opts ...Option) {
	c.t.Helper()
	c.net = c.run.NewNetwork()
	c.mu.Lock()
	c.n = n
	c.servers = servers.New(c.net, n, c.start, c.run.Tracer())
	c.mu.Unlock()
	c.history = history.New(n, ElectionTimeout)
	c.revealed = revealed.New()
	c.receipts = receipts.New(n)
	c.installs = installs.New()
	c.unsaved = persisted.New(c.start, n, c.servers.Persister, c.receipts)
	c.exchanges = exchanges.New()
	taught := c.persistenceTaught()
	var calls history.Calls // a call's events share what is read of its arguments
	var e history.Event     // the event at hand: the network reports one at a time, and no observer keeps it
	c.net.Observe(func(ev labrpc.Event) {
		e = calls.Event(ev)
		c.history.Observe(&e)
		c.revealed.Observe(&e)
		c.receipts.Observe(&e)
		c.installs.Observe(&e)
		c.exchanges.Observe(&e)
		if taught {
			c.unsaved.Observe(&e)
		}
		c.run.Tracer().RPC(&e)
		e = history.Event{} // nothing of the call stays reachable from here
		c.observersMu.Lock()
		observers := c.observers
		c.observersMu.Unlock()
		for _, f := range observers {
			f(ev)
		}
	})
	c.run.Tracer().Boot(n)
	c.net.SetLongDelays(true) // a call to a cut-off server fails only after up to 7s, as over TCP
	c.problems.network = len(c.net.Problems())
	for _, opt := range opts {
		opt.apply(c)
	}
	c.applies = service.New(n, c.receipts, c.installs)
	for i := range n {
		c.startServer(i)
	}
	c.servers.Relink()
}

// records are the cluster's records, read together (package records).
func (c *Cluster) records() records.Records {
	return records.Records{Servers: c.n, Exchanges: c.exchanges, Revealed: c.revealed, Installs: c.installs,
		Applies: c.applies, History: c.history, Codec: c.problems.codec, Network: c.net, NetworkProblem: c.problems.network}
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
func (c *Cluster) CallsFrom(i int) int { return c.servers.CallsFrom(i) }

// alive blocks for ever once the harness has given up on the test, so a
// scenario that wakes up late never touches a finished test.
func (c *Cluster) alive() {
	if c.run.Aborted() {
		select {}
	}
}
