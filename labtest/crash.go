package labtest

import (
	"fmt"
	"time"

	"raftlabs/labtest/internal/revealed"
	"raftlabs/raftapi"
)

// Crashes: a server stops as a machine that loses power does, and comes
// back with only what it had saved (package servers says exactly what a
// crash does). Crash checks that what the server saved holds the latest
// commands it applied (persisted.go). Restart then checks that the server
// did not forget what it had shown the others before the crash (package
// revealed): a term it answered an RPC in; and, before it boots, that the
// server remembers nothing without its Persister (persisted.go).

// Crash cuts server i off, deletes it from the network so that the replies
// of its handlers are never delivered, keeps what it had saved as the disk
// it restarts from, and kills it.
func (c *Cluster) Crash(i int) {
	c.t.Helper()
	rf, disk := c.servers.Crash(i)
	if c.revealed != nil {
		c.revealed.Crashed(i, c.Now(), lastTerm(rf))
	}
	if rf != nil {
		c.kill(i, rf)
		c.checkPersisted(i, disk) // persisted.go
	}
	c.unsaved.Forget(i)
}

// Restart boots a new instance of server i from what it had saved, and
// connects it. Crash it first if it is running. The new instance must not
// have gone back on what the old one told other servers: a term it
// answered an RPC in.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	c.restart(i, true)
}

// restart is Restart, leaving the server cut off if connect is false: for
// scenarios in which only the test talks to it.
func (c *Cluster) restart(i int, connect bool) {
	c.t.Helper()
	if c.raft(i) != nil {
		c.Crash(i)
	}
	c.checkForgets(i)
	c.startServer(i)
	term, _ := c.GetState(i)
	if c.revealed != nil {
		if err := c.revealed.CheckRestoredTerm(i, term); err != nil {
			c.historyFatalf("%v", err)
		}
	}
	if connect {
		c.Connect(i)
	}
}

// The scenarios that play a server's part (lab3_probes.go) judge what
// it showed them with package revealed's checks, under these names.
type (
	// termShown is a reply that showed a server's term.
	termShown = revealed.Evidence
	// vote is a vote a server granted.
	vote = revealed.Vote
)

// checkOneVote checks two votes voter granted in term; see
// revealed.OneVote.
func checkOneVote(voter, term int, first, second vote, crashes []time.Duration) error {
	return revealed.OneVote(voter, term, first, second, crashes)
}

// checkRestoredTerm checks the term server i restarted in against shown;
// see revealed.RestoredTerm.
func checkRestoredTerm(i, term int, shown termShown, crashedAt time.Duration) error {
	return revealed.RestoredTerm(i, term, shown, crashedAt)
}

// restartNote says, for a failure in Make, whether this is a restart and
// what from: "" on a server's first boot.
func (c *Cluster) restartNote(i int) string {
	gen, persister := c.servers.Latest(i)
	if gen <= 1 || persister == nil {
		return ""
	}
	crashed := ""
	if c.revealed != nil {
		crashed = fmt.Sprintf(", after its crash at %s", seconds(c.revealed.LastCrash(i)))
	}
	return fmt.Sprintf(" while restarting from its saved state (%d bytes%s); if readPersist panicked, it could "+
		"not decode what persist saved: both must handle the same fields, in the same order, with the same types",
		persister.RaftStateSize(), crashed)
}

// lastTerm returns the term rf, a server being crashed, is in: 0 if it
// cannot say.
func lastTerm(rf raftapi.Raft) (term int) {
	if rf == nil {
		return 0
	}
	defer func() { _ = recover() }()
	term, _ = rf.GetState()
	return term
}
