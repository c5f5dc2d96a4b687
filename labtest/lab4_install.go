package labtest

import (
	"fmt"
	"time"
)

// Lab 4, continued: InstallSnapshot up close. The test sends a stale
// InstallSnapshot of its own, measures what bringing a follower back costs,
// and checks what a leader does after the snapshot is installed.

// StaleInstallSnapshot checks that a follower given an InstallSnapshot
// older than its log (sent by the test itself, as a leader's late
// message would arrive) neither takes its service back to the older state
// nor drops the entries that follow the snapshot. Here those entries are
// committed, and the leader is then cut off, so a follower that lost them
// would let a server without them be elected and overwrite them. Figure
// 13, InstallSnapshot receiver rule 6: "If existing log entry has same
// index and term as snapshot's last included entry, retain log entries
// following it and reply".
func StaleInstallSnapshot(c *Cluster) {
	c.Boot(3, Snapshots)
	leader := c.CheckOneLeader()
	f, g := c.Next(leader), c.Next(c.Next(leader))

	// 24 entries on all three: each has a snapshot through index 20 and
	// the entries 21 to 24 in its log. The term of entry 22 is Start's.
	for c.applies.MaxIndex() < 21 {
		c.Agree(c.randomCommand(), 3)
	}
	cmd := c.randomCommand()
	index, term := c.StartOnLeader(leader, cmd)
	if got := c.WaitCommitted(index, 3, -1); got != cmd {
		c.Fatalf("s%d accepted %d at index %d in term %d, but %s was applied there", leader, cmd, index, term, commandText(got))
	}
	for c.applies.MaxIndex() < 24 {
		c.Agree(c.randomCommand(), 3)
	}

	// With g cut off, five more entries commit on the leader and f only.
	c.Disconnect(g)
	var last int
	for range 5 {
		last = c.AgreeOnce(c.randomCommand(), 2)
	}

	// f gets a snapshot through the old entry: all of it is in f's log
	// already, and committed.
	data, err := c.applies.MakeSnapshot(f, index)
	if err != nil {
		c.Fatalf("%v", err)
	}
	now, _ := c.GetState(leader)
	c.installSnapshot(f, snapshotRequest{Term: now, Leader: leader, LastIncludedIndex: index, LastIncludedTerm: term, Data: data})
	c.Sleep(ElectionTimeout / 2)

	// The leader goes; f and g must elect f, the one holding every
	// committed entry, and keep entries through the last one.
	c.Disconnect(leader)
	c.Connect(g)
	if next := c.Agree(c.randomCommand(), 2); next <= last {
		c.Fatalf("after the leader was cut off, the next command was committed at index %d, but index %d had "+
			"been committed before: s%d dropped the entries after the stale snapshot through index %d", next, last, f, index)
	}
	c.Connect(leader)
	c.Agree(c.randomCommand(), 3)
}

// snapshotTransfer checks the bytes a follower received while it was
// brought back from a snapshot of size bytes, over terms terms: each
// term's leader may send the snapshot once (a returning follower's higher
// term often forces an election, and the new leader starts over), plus
// half again for a retry, and 20,000 bytes for heartbeats.
func snapshotTransfer(i int, received int64, size, terms int) error {
	if budget := int64(terms)*int64(size)*3/2 + 20_000; received > budget {
		return fmt.Errorf("s%d received %d bytes of RPC requests (%.1f per byte of snapshot) to catch up from a "+
			"snapshot of %d bytes, in %d terms; the budget is %d, one and a half snapshots a term plus 20,000: "+
			"send a lagging follower the snapshot once, and not again until its reply or the next heartbeat, and "+
			"afterwards only the entries after it", i, received, float64(received)/float64(size), size, terms, budget)
	}
	return nil
}

// InstallThenReplicate checks that once a leader has brought a follower
// back with InstallSnapshot, it goes on replicating to it from just past
// the snapshot (nextIndex = lastIncludedIndex + 1): with the other
// follower cut off, the two of them must commit new entries. It also checks
// that the follower received the snapshot about once a term: at most one
// and a half times its size for each term the catching up took, plus 20,000
// bytes. Paper §7 and Figure 13.
func InstallThenReplicate(c *Cluster) {
	c.Boot(3, Snapshots)
	c.Agree(c.randomCommand(), 3)
	leader := c.CheckOneLeader()
	f, g := c.Next(leader), c.Next(c.Next(leader))

	// f misses thirty entries of 1000 bytes; every log is compacted past
	// its last entry, through index 30.
	c.Disconnect(f)
	for c.applies.MaxIndex() < 3*SnapshotInterval {
		c.Agree(c.randomString(1000), 2)
	}
	last := c.applies.MaxIndex()
	c.Sleep(ElectionTimeout / 2)

	// Back, f catches up from the leader's snapshot.
	termBefore, _ := c.GetState(leader)
	before := c.BytesTo(f)
	c.Connect(f)
	c.WaitCommitted(last, 3, -1)
	// The snapshot f had to be sent is the leader's, as large as the one
	// the leader saved.
	size := c.SnapshotSize(leader)
	termAfter, _ := c.GetState(g)
	if err := snapshotTransfer(f, c.BytesTo(f)-before, size, termAfter-termBefore+1); err != nil {
		c.Fatalf("%v%s", err, c.exchanges.ResentTo(f))
	}

	// With the third server cut off, only f can make a majority with the
	// leader (f's return may have made a new one).
	leader = c.CheckOneLeader()
	third := c.others(leader, f)[0]
	c.Disconnect(third)
	for range 3 {
		c.AgreeOnce(c.randomCommand(), 2)
	}
	c.Connect(third)
	c.Agree(c.randomCommand(), 3)
}

// InstallWhileApplying checks that a follower whose service is still busy
// with earlier entries installs a leader's snapshot without waiting for
// the service: the service takes 50ms over each message and calls back
// into its server (GetState, Snapshot) before it reads the next, as a real
// service does, so a server that sends the snapshot on applyCh while
// holding its lock waits for a service that waits for the lock. The
// snapshot goes to the service after the entries before it, in order.
// Paper §7; the course's rule: never hold rf.mu across a channel send.
func InstallWhileApplying(c *Cluster) {
	c.Boot(3, Snapshots)
	c.Agree(c.randomCommand(), 3)
	leader := c.CheckOneLeader()
	f := c.Next(leader)
	c.applies.SetServiceTime(f, 200*time.Millisecond)

	// f's service falls behind: twenty entries reach f's log faster than
	// its service can take them.
	for range 2 * SnapshotInterval {
		c.Agree(c.randomCommand(), 2)
	}

	// Cut off while its service works through them, f misses two
	// snapshots' worth of entries; back, it is sent the leader's snapshot.
	c.Disconnect(f)
	first := c.applies.MaxIndex()
	for c.applies.MaxIndex() < first+2*SnapshotInterval {
		c.Agree(c.randomCommand(), 2)
	}
	c.Connect(f)
	c.Sleep(ElectionTimeout) // the snapshot arrives while f's service is still busy
	c.applies.SetServiceTime(f, 0)
	c.Agree(c.randomCommand(), 3)
}

// KillAfterSnapshots checks that Kill stops every goroutine a server
// started once it has taken snapshots and sent or installed them: the
// goroutines that send InstallSnapshot included. Other tests only warn
// about goroutines left behind; this one costs the points.
func KillAfterSnapshots(c *Cluster) {
	c.Boot(3, Snapshots)
	c.Agree(c.randomCommand(), 3)
	f := c.Next(c.CheckOneLeader())
	c.Disconnect(f)
	for c.applies.MaxIndex() < 2*SnapshotInterval+5 {
		c.Agree(c.randomCommand(), 2)
	}
	c.Connect(f)
	c.Agree(c.randomCommand(), 3)
	c.CheckKillStopsGoroutines()
}
