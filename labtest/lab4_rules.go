package labtest

import (
	"time"
)

// Lab 4, rules the scenarios of lab4.go meet only by chance: here the test
// plays the leader itself.

// InstallKeepsFollowing checks that a follower sent a snapshot whose last
// included entry it already holds keeps the entries after that entry. The
// test cuts a follower off and plays a leader of a newer term to it: it
// gives the follower three entries, then a snapshot through the second of
// them, then asks whether the follower holds the third. Figure 13,
// InstallSnapshot receiver rule 6: "If existing log entry has same index
// and term as snapshot's last included entry, retain log entries following
// it and reply". Then, as a deposed leader of the term before, it sends a
// snapshot through the third entry, which the follower must refuse: rule
// 1, "Reply immediately if term < currentTerm".
func InstallKeepsFollowing(c *Cluster) {
	c.Boot(3, Snapshots)
	leader := c.CheckOneLeader()
	var last, term int
	for last < SnapshotInterval+3 {
		cmd := c.randomCommand()
		last, term = c.StartOnLeader(leader, cmd)
		if got := c.WaitCommitted(last, 3, -1); got != cmd {
			c.Fatalf("s%d accepted %d at index %d in term %d, but %s was applied there", leader, cmd, last, term, commandText(got))
		}
	}

	// f, cut off, is sent three entries by a leader of a newer term; they
	// are not committed.
	f := c.Next(leader)
	c.Disconnect(f)
	entries := make([]logEntry, 3)
	u := c.sendUntilTermHeld(f, func(u int) appendRequest {
		for k := range entries {
			entries[k] = logEntry{Index: last + 1 + k, Term: u, Command: c.randomCommand()}
		}
		return appendRequest{Term: u, Leader: leader, PrevLogIndex: last, PrevLogTerm: term, Entries: entries, LeaderCommit: last}
	})

	// The leader sends a snapshot through the second of them.
	through := last + 2
	data, err := c.applies.SnapshotWith(f, last, entries[:2])
	if err != nil {
		c.Fatalf("%v", err)
	}
	c.installSnapshot(f, snapshotRequest{Term: u, Leader: leader, LastIncludedIndex: through, LastIncludedTerm: u, Data: data})
	start := c.Now()
	for c.Now()-start < time.Second {
		if _, ok := c.Applied(f, through); ok {
			break
		}
		c.Sleep(10 * time.Millisecond)
	}

	// f still holds the third entry: an AppendEntries that follows it
	// matches.
	reply, ok := c.appendEntries(f, appendRequest{Term: u, Leader: leader, PrevLogIndex: last + 3, PrevLogTerm: u, LeaderCommit: through})
	if ok && reply.Term == u && !reply.OK {
		c.historyFatalf("s%d refused an AppendEntries of term %d with prevLogIndex %d and prevLogTerm %d, an entry it "+
			"held before the test, as leader of term %d, sent it an InstallSnapshot through index %d (term %d), "+
			"which matched its own entry there: it discarded the entries after the snapshot's last included entry. "+
			"Figure 13, InstallSnapshot receiver rule 6: \"If existing log entry has same index and term as "+
			"snapshot's last included entry, retain log entries following it and reply\"; only a snapshot that "+
			"matches no entry discards the entire log (rule 7)", f, u, last+3, u, u, through, u)
	}

	// A deposed leader's snapshot, of the term before, through the third
	// entry: f must refuse it, and apply nothing more.
	stale, err := c.applies.SnapshotWith(f, last, entries)
	if err != nil {
		c.Fatalf("%v", err)
	}
	c.installSnapshot(f, snapshotRequest{Term: u - 1, Leader: c.Next(f), LastIncludedIndex: last + 3, LastIncludedTerm: u - 1, Data: stale})
	c.Sleep(200 * time.Millisecond)
	if _, ok := c.Applied(f, last+3); ok {
		c.historyFatalf("s%d, in term %d, installed a snapshot through index %d sent by s%d in term %d, and applied it: "+
			"Figure 13, InstallSnapshot receiver rule 1: \"Reply immediately if term < currentTerm\"; a snapshot "+
			"from a deposed leader may hold entries the current leader never had", f, u, last+3, c.Next(f), u-1)
	}
}
