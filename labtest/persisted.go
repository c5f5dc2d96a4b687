package labtest

import (
	"fmt"

	"raftlabs/labrpc"
	"raftlabs/labtest/internal/persisted"
	"raftlabs/raftapi"
)

// The persistence checks (package persisted judges the bytes): at each
// crash, what the server had saved must hold the latest commands it
// applied; before each restart, a stand-in for the server booted with an
// empty Persister, cut off from everyone, must not know its term.

// persistenceTaught reports whether the test's lab asks for persistence;
// see persisted.Taught.
func (c *Cluster) persistenceTaught() bool { return persisted.Taught(c.run.Name) }

// checkForgets boots the stand-in for server i and checks that it does not
// know the term i was in when it crashed. A stand-in that cannot be asked
// (Make panics, or never returns) is left to the restart itself to report.
func (c *Cluster) checkForgets(i int) {
	c.t.Helper()
	if c.revealed == nil || !c.persistenceTaught() {
		return
	}
	known := c.revealed.CrashTerm(i)
	if known <= 1 {
		return // a fresh server may report term 1
	}
	term, ok := c.freshTerm(i)
	if !ok {
		return
	}
	if err := persisted.Forgotten(i, term, known, c.revealed.LastCrash(i)); err != nil {
		c.historyFatalf("%v", err)
	}
}

// freshTerm boots server i with an empty Persister and ends that reach no
// one, and returns the term it reports before anything can happen to it.
func (c *Cluster) freshTerm(i int) (term int, ok bool) {
	c.mu.Lock()
	gen := c.generation[i] // the instance that crashed: one stand-in each
	c.mu.Unlock()
	ends := make([]*labrpc.ClientEnd, c.n)
	for j := range c.n {
		ends[j] = c.net.NewEnd(fmt.Sprintf("s%d->s%d#empty-disk-%d", i, j, gen)) // connected to nothing
	}
	// A server with nothing to apply sends nothing; the buffer keeps a
	// Raft that does from blocking before it is killed.
	applyCh := make(chan raftapi.ApplyMsg, 64)
	m, returned := c.tryMake(i, ends, raftapi.MakePersister(), applyCh)
	if !returned || m.panicked != nil || m.rf == nil {
		return 0, false
	}
	defer func() { _ = c.callStudent(i, "Kill", m.rf.Kill) }()
	if c.callStudent(i, "GetState", func() { term, _ = m.rf.GetState() }) != nil {
		return 0, false
	}
	return term, true
}

// persisterOf returns server i's Persister now.
func (c *Cluster) persisterOf(i int) *raftapi.Persister {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.persisters[i]
}

// checkPersisted checks that what server i saved, p's bytes, holds the
// latest commands it applied.
func (c *Cluster) checkPersisted(i int, p *raftapi.Persister) {
	c.t.Helper()
	if err := c.persistedProblem(i, p, "crashed"); err != nil {
		c.historyFatalf("%v", err)
	}
}

// persistedProblem is checkPersisted's finding, or nil; what says when
// the bytes were read. See persisted.Problem.
func (c *Cluster) persistedProblem(i int, p *raftapi.Persister, what string) error {
	if !c.persistenceTaught() {
		return nil
	}
	return persisted.Problem(i, what, p.ReadRaftState(), p.ReadSnapshot(), c.applies.Latest(i, persisted.Checked),
		c.applies.InstalledThrough(i), c.Now(), c.unsaved)
}

// checkLivePersisted checks, as each crash does, that what every running
// server has saved holds the latest commands it applied: a test with no
// crash must not let a Raft keep its state only in memory. It is called
// at the end of the scenario, before the servers are killed.
func (c *Cluster) checkLivePersisted() error {
	for i := range c.n {
		if c.raft(i) == nil {
			continue
		}
		c.mu.Lock()
		p := c.persisters[i]
		c.mu.Unlock()
		if err := c.persistedProblem(i, p, "was still running at the end of the test"); err != nil {
			return err
		}
	}
	return nil
}
