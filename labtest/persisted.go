package labtest

import (
	"raftlabs/labtest/internal/persisted"
	"raftlabs/labtest/internal/servers"
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
	term, ok := c.servers.FreshTerm(i, servers.MakeFunc(c.newRaft), c.run)
	if !ok {
		return
	}
	if err := persisted.Forgotten(i, term, known, c.revealed.LastCrash(i)); err != nil {
		c.historyFatalf("%v", err)
	}
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
		if err := c.persistedProblem(i, c.servers.Persister(i), "was still running at the end of the test"); err != nil {
			return err
		}
	}
	return nil
}
