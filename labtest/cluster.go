package labtest

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"raftlabs/labgob"
	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// ElectionTimeout is how long the tests allow for one election: a
// follower's randomized timeout plus the votes. A leader lost is replaced
// within a few of these.
const ElectionTimeout = time.Second

// makeTimeout bounds Make: it must start its goroutines and return.
const makeTimeout = 5 * time.Second

// leakWait is how long after the last Kill the harness waits for a test's
// goroutines to end, longer than the network's longest delay.
const leakWait = 10 * time.Second

// killGrace is how soon after Kill a server's send on applyCh is still
// forgiven: a send already blocked when Kill was called.
const killGrace = 10 * time.Millisecond

// A Cluster is the servers of one test, the simulated network between them,
// and the checks on what they do. A scenario boots it, breaks things, and
// checks Raft's properties; any check that fails ends the test with the
// property's name, the evidence, and the network's shape.
//
// Servers are numbered 0 to n-1 and named s0, s1, ... in every message.
type Cluster struct {
	t       *testing.T
	run     *run
	newRaft MakeFunc
	start   time.Time // the test's clock at boot

	net *labrpc.Network

	mu         sync.Mutex
	rng        *rand.Rand
	n          int
	rafts      []raftapi.Raft // nil when crashed
	persisters []*raftapi.Persister
	generation []int      // instance number of each server, from 1
	endNames   [][]string // endNames[i][j]: the end server i uses to call j
	connected  []bool
	group      []int // partition number; servers talk only within a group
	netHistory string
	probes     int // RPCs the harness itself has sent

	leaders  map[int]sighting // election safety: the leader seen in each term
	applies  *applyChecker
	drains   atomic.Int32 // drain goroutines running
	baseline goroutineCount
	reported bool          // a background problem has failed the test
	stopping chan struct{} // closed to stop the harness's own goroutines
	problems problemsBaseline
}

// goroutineCount is how many goroutines the process had when the cluster
// was made, its heartbeat included: a cheap first test for leaks.
type goroutineCount int

// sighting is one server seen believing it leads a term.
type sighting struct {
	server int
	at     time.Duration
}

// problemsBaseline is how many problems the codec and network had reported
// before the test, so only the test's own are charged to it.
type problemsBaseline struct {
	codec, network int
}

// An Option changes how a cluster is booted.
type Option func(c *Cluster)

// Unreliable makes the network delay requests by up to 27ms and drop about
// a tenth of requests and a tenth of replies.
func Unreliable(c *Cluster) { c.net.SetReliable(false) }

// LongReordering delays about two thirds of replies by 200ms to 2.2s, so
// replies arrive long after later ones.
func LongReordering(c *Cluster) { c.net.SetLongReordering(true) }

func newCluster(t *testing.T, r *run, newRaft MakeFunc) *Cluster {
	seed := uint64(r.settings.seed)
	c := &Cluster{
		t:        t,
		run:      r,
		newRaft:  newRaft,
		start:    time.Now(),
		rng:      rand.New(rand.NewPCG(seed, seed^0x5eed)),
		leaders:  map[int]sighting{},
		stopping: make(chan struct{}),
		problems: problemsBaseline{codec: len(labgob.Problems())},
		baseline: goroutineCount(runtime.NumGoroutine() + 1),
	}
	r.bubble.Store(int64(currentGoroutine().bubble))
	r.mu.Lock()
	r.current = c
	r.mu.Unlock()
	go c.heartbeat()
	return c
}

// Boot starts n servers, all connected, each with an empty persister.
func (c *Cluster) Boot(n int, opts ...Option) {
	c.t.Helper()
	c.net = labrpc.NewNetwork(c.run.settings.seed)
	c.net.SetLongDelays(true) // a call to a cut-off server fails only after up to 7s, as over TCP
	c.problems.network = len(c.net.Problems())
	for _, opt := range opts {
		opt(c)
	}
	c.mu.Lock()
	c.n = n
	c.rafts = make([]raftapi.Raft, n)
	c.persisters = make([]*raftapi.Persister, n)
	c.generation = make([]int, n)
	c.endNames = make([][]string, n)
	c.connected = make([]bool, n)
	c.group = make([]int, n)
	c.applies = newApplyChecker(n)
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

// Disconnect cuts servers off from everyone.
func (c *Cluster) Disconnect(servers ...int) {
	c.mu.Lock()
	for _, i := range servers {
		c.connected[i] = false
	}
	c.mu.Unlock()
	c.relink()
}

// Connect reconnects servers to every other connected server in the same
// partition group (after Partition) or to all connected servers.
func (c *Cluster) Connect(servers ...int) {
	c.mu.Lock()
	for _, i := range servers {
		c.connected[i] = true
	}
	c.mu.Unlock()
	c.relink()
}

// Partition splits the servers into groups that can talk only among
// themselves. Servers in no group are disconnected.
func (c *Cluster) Partition(groups ...[]int) {
	c.mu.Lock()
	for i := range c.n {
		c.connected[i] = false
	}
	for g, members := range groups {
		for _, i := range members {
			c.connected[i] = true
			c.group[i] = g
		}
	}
	c.mu.Unlock()
	c.relink()
}

// Heal joins every server into one group, all connected.
func (c *Cluster) Heal() {
	c.mu.Lock()
	for i := range c.n {
		c.connected[i] = true
		c.group[i] = 0
	}
	c.mu.Unlock()
	c.relink()
}

// SetReliable switches the network's message loss and short delays off or on.
func (c *Cluster) SetReliable(reliable bool) { c.net.SetReliable(reliable) }

// SetLongReordering switches long reply delays on or off.
func (c *Cluster) SetLongReordering(on bool) { c.net.SetLongReordering(on) }

// Crash disconnects server i, removes it from the network so that replies
// from its handlers are never delivered, and kills it. Its persister is
// copied first, so nothing the dead instance writes afterwards survives.
func (c *Cluster) Crash(i int) {
	c.t.Helper()
	c.mu.Lock()
	rf := c.rafts[i]
	c.rafts[i] = nil
	c.connected[i] = false
	c.persisters[i] = c.persisters[i].Copy()
	c.mu.Unlock()
	c.relink() // after rafts[i] is gone, so failures show "s2 crashed"
	c.net.DeleteServer(serverName(i))
	if rf != nil {
		c.kill(i, rf)
	}
}

// Restart boots a new instance of server i from its persister and connects
// it. Crash it first if it is running.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	if c.raft(i) != nil {
		c.Crash(i)
	}
	c.startServer(i)
	c.Connect(i)
}

// IsConnected reports whether server i is running and connected.
func (c *Cluster) IsConnected(i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connected[i] && c.rafts[i] != nil
}

// RPCCount returns how many RPCs server i has received.
func (c *Cluster) RPCCount(i int) int { return c.net.Count(serverName(i)) }

// RPCTotal returns how many RPCs have been sent in the whole test.
func (c *Cluster) RPCTotal() int { return c.net.TotalCount() }

// BytesTotal returns how many request bytes have been sent in the test.
func (c *Cluster) BytesTotal() int64 { return c.net.TotalBytes() }

// Fatalf fails the test with a message that ends with the network's shape.
func (c *Cluster) Fatalf(format string, args ...any) {
	c.t.Helper()
	c.alive()
	c.t.Fatalf("%s\n  network: %s", fmt.Sprintf(format, args...), c.describeNetwork())
}

// alive blocks for ever once the harness has given up on the test, so a
// scenario that wakes up late never touches a finished test.
func (c *Cluster) alive() {
	if c.run.aborted.Load() {
		select {}
	}
}

func serverName(i int) string { return fmt.Sprintf("s%d", i) }

// startServer makes a new instance of server i with fresh ends and applyCh.
func (c *Cluster) startServer(i int) {
	c.t.Helper()
	c.mu.Lock()
	gen := c.generation[i] + 1
	c.generation[i] = gen
	persister := c.persisters[i]
	stagger := time.Duration(1+c.rng.IntN(50)) * time.Microsecond
	c.mu.Unlock()

	ends := make([]*labrpc.ClientEnd, c.n)
	names := make([]string, c.n)
	for j := range c.n {
		names[j] = fmt.Sprintf("s%d->s%d#%d", i, j, gen)
		ends[j] = c.net.NewEnd(names[j])
		c.net.Connect(names[j], serverName(j))
	}
	applyCh := make(chan raftapi.ApplyMsg)
	c.applies.boot(i, gen)
	go c.drain(i, gen, applyCh)

	// Staggered boots: code that seeds its random numbers from time.Now
	// must not give every server the same election timeout.
	time.Sleep(stagger)
	rf := c.callMake(i, ends, persister, applyCh)

	srv := labrpc.NewServer()
	srv.AddService(labrpc.NewService(rf))
	c.net.AddServer(serverName(i), srv)
	c.mu.Lock()
	c.rafts[i] = rf
	c.endNames[i] = names
	c.mu.Unlock()
}

// callMake calls the student's Make for server i, failing the test if it
// panics, returns nil, or does not return within makeTimeout.
func (c *Cluster) callMake(i int, ends []*labrpc.ClientEnd, p *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	c.t.Helper()
	type result struct {
		rf      raftapi.Raft
		problem string
	}
	made := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				made <- result{problem: fmt.Sprintf("s%d: Make panicked: %v\n%s", i, v, debug.Stack())}
			}
		}()
		made <- result{rf: c.newRaft(ends, i, p, applyCh)}
	}()
	select {
	case m := <-made:
		if m.problem != "" {
			c.Fatalf("%s", m.problem)
		}
		if m.rf == nil {
			c.Fatalf("s%d: Make returned nil; it must return the new Raft", i)
		}
		return m.rf
	case <-time.After(makeTimeout):
		c.Fatalf("s%d: Make did not return within %v: Make must start long-running work "+
			"(the election ticker, the applier) in goroutines and return at once", i, makeTimeout)
		return nil
	}
}

// relink enables exactly the ends between connected servers of one group.
func (c *Cluster) relink() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.n {
		for j := range c.n {
			if c.endNames[i] == nil {
				continue
			}
			on := c.connected[i] && c.connected[j] && c.group[i] == c.group[j]
			c.net.Enable(c.endNames[i][j], on)
		}
	}
	c.netHistory = fmt.Sprintf("%s since %s", c.describeNetworkLocked(), seconds(time.Since(c.start)))
}

// describeNetwork shows the connected groups, e.g. "{s0 s1} | {s2} | s3 crashed".
func (c *Cluster) describeNetwork() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.netHistory
}

func (c *Cluster) describeNetworkLocked() string {
	groups := map[int][]string{}
	var order []int
	var off []string
	for i := range c.n {
		name := serverName(i)
		switch {
		case c.rafts[i] == nil && c.generation[i] > 0 && c.endNames[i] != nil:
			off = append(off, name+" crashed")
		case !c.connected[i]:
			groups[-1-i] = []string{name}
			order = append(order, -1-i)
		default:
			if _, seen := groups[c.group[i]]; !seen {
				order = append(order, c.group[i])
			}
			groups[c.group[i]] = append(groups[c.group[i]], name)
		}
	}
	var parts []string
	for _, g := range order {
		parts = append(parts, "{"+strings.Join(groups[g], " ")+"}")
	}
	return strings.Join(append(parts, off...), " | ")
}

// raft returns server i's running instance, or nil if crashed.
func (c *Cluster) raft(i int) raftapi.Raft {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rafts[i]
}

// servers returns every running instance.
func (c *Cluster) servers() []raftapi.Raft {
	c.mu.Lock()
	defer c.mu.Unlock()
	var rs []raftapi.Raft
	for _, rf := range c.rafts {
		if rf != nil {
			rs = append(rs, rf)
		}
	}
	return rs
}

// kill calls Kill on one instance and records when, for the apply checker.
func (c *Cluster) kill(i int, rf raftapi.Raft) {
	c.t.Helper()
	c.mu.Lock()
	gen := c.generation[i]
	c.mu.Unlock()
	c.student(i, "Kill", rf.Kill)
	c.applies.killed(i, gen)
}

// student calls into the student's code for server i, turning a panic into
// a test failure that names the server and the method.
func (c *Cluster) student(i int, method string, call func()) {
	c.t.Helper()
	var problem string
	func() {
		defer func() {
			if v := recover(); v != nil {
				problem = fmt.Sprintf("s%d: %s panicked: %v\n%s", i, method, v, debug.Stack())
			}
		}()
		call()
	}()
	if problem != "" {
		c.Fatalf("%s", problem)
	}
}

// heartbeat ticks the test's clock for the watcher outside the bubble, and
// ends a test that runs past VirtualTimeLimit.
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
				VirtualTimeLimit, c.describeNetwork(), describeBlocked(c.run.bubbleGoroutines())))
			c.shutDown()
			return
		}
	}
}

// shutDown kills every server and closes the network so that nothing the
// test left behind keeps running. For a test the harness has given up on.
func (c *Cluster) shutDown() {
	for _, rf := range c.servers() {
		func() {
			defer func() { _ = recover() }()
			rf.Kill()
		}()
	}
	if c.net != nil {
		c.net.Close()
	}
}

// finish ends every test: it kills the servers, waits for their goroutines
// to end while draining applyCh, and reports what is left as leaks.
func (c *Cluster) finish() {
	if c.run.aborted.Load() {
		return
	}
	defer close(c.run.finished)
	if c.net == nil {
		close(c.stopping)
		return
	}
	for i := range c.n {
		if rf := c.raft(i); rf != nil {
			c.kill(i, rf)
		}
	}
	c.run.stats.Store(c.currentStats())

	// Wait for the servers' goroutines to end. Counting goroutines is cheap;
	// a stack dump to see whose they are is not, so dump only when the
	// count says the test's own are gone, or at the deadline.
	deadline := time.Now().Add(leakWait)
	var leaks []goroutine
	for {
		if runtime.NumGoroutine() <= int(c.baseline)+int(c.drains.Load()) {
			if leaks = c.leaks(); len(leaks) == 0 {
				break
			}
		}
		if !time.Now().Before(deadline) {
			leaks = c.leaks()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(c.stopping)
	c.net.Close()

	if err := c.backgroundProblem(); err != "" && !c.reported {
		c.t.Errorf("%s", err)
	}
	if len(leaks) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "goroutine leak: %d goroutines still running %v after every server was killed "+
			"(a Raft's goroutines must return once killed() is true):\n", len(leaks), leakWait)
		for _, g := range leaks {
			b.WriteString(indent(g.stack, "    "))
			b.WriteString("\n")
		}
		c.t.Errorf("%s", b.String())
	}
}

// leaks returns the test's goroutines other than the harness's.
func (c *Cluster) leaks() []goroutine {
	me := currentGoroutine().id
	var gs []goroutine
	for _, g := range c.run.bubbleGoroutines() {
		if g.id != me && !g.isHarness() {
			gs = append(gs, g)
		}
	}
	return gs
}

// currentStats returns the numbers for the summary line.
func (c *Cluster) currentStats() *stats {
	s := &stats{peers: c.n, elapsed: time.Since(c.start)}
	if c.net != nil {
		s.rpcs = c.net.TotalCount()
		s.bytes = c.net.TotalBytes()
	}
	if c.applies != nil {
		s.commands = c.applies.maxIndex()
	}
	return s
}

// checkBackground fails the test if a background check found a problem.
func (c *Cluster) checkBackground() {
	c.t.Helper()
	if err := c.backgroundProblem(); err != "" {
		c.reported = true
		c.Fatalf("%s", err)
	}
}

// backgroundProblem returns the first problem found outside the scenario's
// own checks: by the apply checker, the codec or the network.
func (c *Cluster) backgroundProblem() string {
	if c.applies != nil {
		if p := c.applies.problem(); p != "" {
			return p
		}
	}
	if ps := labgob.Problems(); len(ps) > c.problems.codec {
		return "labgob: " + ps[c.problems.codec]
	}
	if c.net != nil {
		if ps := c.net.Problems(); len(ps) > c.problems.network {
			return ps[c.problems.network]
		}
	}
	return ""
}

// seconds formats a duration on the test's clock, e.g. "12.40s".
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// serverList formats server numbers as "[s1 s3]".
func serverList(servers []int) string {
	names := make([]string, len(servers))
	for k, i := range slices.Sorted(slices.Values(servers)) {
		names[k] = serverName(i)
	}
	return "[" + strings.Join(names, " ") + "]"
}
