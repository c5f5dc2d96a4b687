package labtest

import (
	"fmt"
	"runtime/debug"
	"time"

	"raftlabs/labrpc"
	"raftlabs/raftapi"
)

// Servers: starting an instance of the student's Raft, crashing it, and
// calling into it without letting its panics escape.

// makeTimeout bounds Make: it must start its goroutines and return.
const makeTimeout = 5 * time.Second

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
	c.applies.Boot(i, gen)
	c.receipts.SnapshotHeld(i, persister.ReadSnapshot())
	go c.drain(i, gen, applyCh)

	// Staggered boots: code that seeds its random numbers from time.Now
	// must not give every server the same election timeout.
	time.Sleep(stagger)
	rf := c.callMake(i, ends, persister, applyCh)

	srv := labrpc.NewServer()
	for _, svc := range services(rf) { // hosted.go
		srv.AddService(svc)
	}
	c.net.AddServer(serverName(i), srv)
	c.run.Tracer().Start(i, gen)
	c.mu.Lock()
	c.rafts[i] = rf
	c.endNames[i] = names
	c.mu.Unlock()
}

// callMake calls the student's Make for server i, failing the test if it
// panics, returns nil, or does not return within makeTimeout. (A Make that
// never blocks stops the clock instead; the watchdog names it.)
func (c *Cluster) callMake(i int, ends []*labrpc.ClientEnd, p *raftapi.Persister, applyCh chan raftapi.ApplyMsg) raftapi.Raft {
	c.t.Helper()
	m, returned := c.tryMake(i, ends, p, applyCh)
	switch {
	case !returned:
		c.Fatalf("s%d: Make did not return within %v: Make must start long-running work "+
			"(the election ticker, the applier) in goroutines and return at once", i, makeTimeout)
	case m.panicked != nil:
		c.Fatalf("s%d: Make panicked%s: %v\n%s", i, c.restartNote(i), m.panicked, m.stack)
	case m.rf == nil:
		c.Fatalf("s%d: Make returned nil; it must return the new Raft", i)
	}
	return m.rf
}

// A made is what one call to Make did: returned a Raft, or panicked.
type made struct {
	rf       raftapi.Raft
	panicked any
	stack    []byte
}

// tryMake calls the student's Make for server i and returns what it did;
// returned is false if it did not return within makeTimeout.
func (c *Cluster) tryMake(i int, ends []*labrpc.ClientEnd, p *raftapi.Persister, applyCh chan raftapi.ApplyMsg) (m made, returned bool) {
	result := make(chan made, 1)
	c.run.MakeStarts(i)
	defer c.run.MakeReturned()
	go func() {
		defer func() {
			if v := recover(); v != nil {
				result <- made{panicked: v, stack: debug.Stack()}
			}
		}()
		result <- made{rf: c.newRaft(ends, i, p, applyCh)}
	}()
	select {
	case m := <-result:
		return m, true
	case <-time.After(makeTimeout):
		return made{}, false
	}
}

// raft returns server i's running instance, or nil if crashed.
func (c *Cluster) raft(i int) raftapi.Raft {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rafts[i]
}

// instance returns server i's running instance if it is instance gen.
func (c *Cluster) instance(i, gen int) raftapi.Raft {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation[i] != gen {
		return nil
	}
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

// kill calls Kill on server i's running instance rf, once, and records
// when, for the apply checker.
func (c *Cluster) kill(i int, rf raftapi.Raft) {
	c.t.Helper()
	c.mu.Lock()
	gen := c.generation[i]
	already := c.killed[i] == gen
	c.killed[i] = gen
	c.mu.Unlock()
	if already {
		return
	}
	c.applies.Killed(i, gen) // first: Kill may close applyCh before it returns
	c.student(i, "Kill", rf.Kill)
}

// student calls into the student's code for server i, turning a panic into
// a test failure that names the server and the method.
func (c *Cluster) student(i int, method string, call func()) {
	c.t.Helper()
	if err := c.callStudent(i, method, call); err != nil {
		c.Fail(err)
	}
}

// callStudent runs call, a call into server i's method, and returns its
// panic, if it panicked, as the failure it is.
func (c *Cluster) callStudent(i int, method string, call func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = failure("s%d: %s panicked: %v\n%s", i, method, v, debug.Stack())
		}
	}()
	call()
	return nil
}
