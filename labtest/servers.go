package labtest

import (
	"time"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/servers"
	"raftlabs/raftapi"
)

// Servers: starting an instance of the student's Raft, and calling into it
// without letting its panics escape (package servers keeps the instances).

// startServer makes a new instance of server i with fresh ends and applyCh.
func (c *Cluster) startServer(i int) {
	c.t.Helper()
	c.mu.Lock()
	stagger := time.Duration(1+c.rng.IntN(50)) * time.Microsecond
	c.mu.Unlock()
	gen, ends, names := c.servers.NewInstance(i)
	persister := c.servers.Persister(i)
	applyCh := make(chan raftapi.ApplyMsg)
	c.applies.Boot(i, gen)
	c.receipts.SnapshotHeld(i, persister.ReadSnapshot())
	go c.drain(i, gen, applyCh)

	// Staggered boots: code that seeds its random numbers from time.Now
	// must not give every server the same election timeout.
	time.Sleep(stagger)
	rf := c.callMake(i, ends, persister, applyCh)
	c.servers.Serve(i, rf, names, services(rf)...) // hosted.go
	c.run.Tracer().Start(i, gen)
}

// callMake calls the student's Make for server i, failing the test if it
// panics, returns nil, or does not return within servers.MakeTimeout. (A
// Make that never blocks stops the clock instead; the watchdog names it.)
func (c *Cluster) callMake(i int, ends []*labrpc.ClientEnd, p *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	c.t.Helper()
	m, returned := servers.TryMake(servers.MakeFunc(c.newRaft), i, ends, p, applyCh, c.run)
	switch {
	case !returned:
		c.Fatalf("s%d: Make did not return within %v: Make must start long-running work "+
			"(the election ticker, the applier) in goroutines and return at once", i, servers.MakeTimeout)
	case m.Panicked != nil:
		c.Fatalf("s%d: Make panicked%s: %v\n%s", i, c.restartNote(i), m.Panicked, m.Stack)
	case m.Raft == nil:
		c.Fatalf("s%d: Make returned nil; it must return the new Raft", i)
	}
	return m.Raft
}

// raft returns server i's running instance, or nil if crashed.
func (c *Cluster) raft(i int) raftapi.Raft { return c.servers.Raft(i) }

// kill calls Kill on server i's running instance rf, once, and records
// when, for the apply checker.
func (c *Cluster) kill(i int, rf raftapi.Raft) {
	c.t.Helper()
	gen, first := c.servers.Killing(i)
	if !first {
		return
	}
	c.applies.Killed(i, gen) // first: Kill may close applyCh before it returns
	c.student(i, "Kill", rf.Kill)
}

// student calls into the student's code for server i, turning a panic into
// a test failure that names the server and the method.
func (c *Cluster) student(i int, method string, call func()) {
	c.t.Helper()
	if err := servers.Call(i, method, call); err != nil {
		c.Fail(err)
	}
}
