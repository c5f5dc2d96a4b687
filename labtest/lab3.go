package labtest

import "time"

// Lab 3: persistence. Figure 2's "Persistent state on all servers":
// currentTerm, votedFor and log[], "updated on stable storage before
// responding to RPCs". A crashed server comes back with what it saved and
// nothing else (package servers says exactly what a crash does).

// PersistBasic checks that a cluster keeps its log and goes on committing
// when every server crashes and restarts at once, then the leader alone,
// then the leader while cut off, then a follower. Each restarted server
// must come back with its term, vote and log. Figure 2, persistent state.
func PersistBasic(c *Cluster) {
	c.Boot(3)
	c.Agree(11, 3)

	// Every server crashes and comes back: the log survives.
	for i := range c.N() {
		c.Restart(i)
	}
	c.Agree(12, 3)

	// The leader crashes and comes back.
	leader := c.CheckOneLeader()
	c.Restart(leader)
	c.Agree(13, 3)

	// The leader crashes; the others commit without it; it comes back and
	// catches up.
	leader = c.CheckOneLeader()
	c.Crash(leader)
	index := c.Agree(14, 2)
	c.Restart(leader)
	c.WaitCommitted(index, 3, -1)

	// A follower crashes; the same.
	follower := c.Next(c.CheckOneLeader())
	c.Crash(follower)
	c.Agree(15, 2)
	c.Restart(follower)
	c.Agree(16, 3)
}

// PersistStaggered checks five rounds in which servers crash and return at
// different moments: two followers are cut off and the others commit; then
// those three are cut off and the two restart, with a third server
// restarted after an election timeout, and these three must commit. A
// server restarted with a log it never persisted would let a leader
// without the committed entries be elected. Figure 2, persistent state;
// §5.4.1.
func PersistStaggered(c *Cluster) {
	c.Boot(5)
	for range 5 {
		c.Agree(c.randomCommand(), 5)

		// Two followers cut off: the other three commit.
		l := c.CheckOneLeader()
		c.Disconnect(c.Next(l), c.Next(l+1))
		c.Agree(c.randomCommand(), 3)

		// Those three cut off; the two followers crash and restart, and a
		// third restarts an election timeout later. Two of the three hold
		// the entry just committed; they must elect a leader that has it.
		c.Disconnect(l, c.Next(l+2), c.Next(l+3))
		c.Restart(c.Next(l))
		c.Restart(c.Next(l + 1))
		c.Sleep(ElectionTimeout)
		c.Restart(c.Next(l + 2))
		c.Agree(c.randomCommand(), 3)

		// Everyone back.
		c.Connect(c.Next(l+3), l)
	}
	c.Agree(c.randomCommand(), 5)
}

// PartitionedLeaderCrash checks a follower cut off while the others
// commit, then both of those crash: the cut-off follower returns first and
// must not be elected with its shorter log when the first restarted server
// joins it; the entry committed without it must survive. Paper §5.4.1
// (the up-to-date check) and Figure 2, persistent state.
func PartitionedLeaderCrash(c *Cluster) {
	c.Boot(3)
	c.Agree(101, 3)

	// A follower is cut off; the leader and the other follower commit 102.
	l := c.CheckOneLeader()
	behind := c.Next(l + 1)
	c.Disconnect(behind)
	c.Agree(102, 2)

	// Both crash. The follower that missed 102 comes back, then the old
	// leader restarts: the two must agree, and 102 stays at index 2.
	c.Crash(l)
	c.Crash(c.Next(l))
	c.Connect(behind)
	c.Restart(l)
	if index := c.Agree(103, 2); index < 3 {
		c.Fatalf("after the crashes, 103 landed at index %d, want 3 or later: the entry 102, committed at index 2 by s%d and "+
			"s%d before they crashed, must survive in s%d's persisted log, so s%d (which missed it) cannot be elected "+
			"(§5.4.1)", index, l, c.Next(l), l, behind)
	}
	c.Restart(c.Next(l))
	c.Agree(104, 3)
}

// UnreliableAgree checks agreement on an unreliable network (messages
// lost, delayed and reordered) with four clients submitting commands at
// once, and one more command at a time from the test: every command a
// client saw applied must be in every server's log at the end. Paper §5.3,
// with the network of §5.5.
func UnreliableAgree(c *Cluster) {
	c.Boot(5)
	c.SetReliable(false)
	cl := c.startClients(4)
	for range 50 {
		c.Agree(c.randomCommand(), 1)
	}
	c.SetReliable(true)
	acks, err := cl.Stop()
	if err != nil {
		c.Fatalf("%v", err)
	}
	c.checkFinalLogs(acks)
}

// checkFinalLogs lets the cluster settle, commits one more command on
// every server, waits for every server to apply every index before it,
// and checks that every acknowledged command is there.
func (c *Cluster) checkFinalLogs(acks []ack) {
	c.t.Helper()
	c.Sleep(ElectionTimeout)
	last := c.Agree(c.randomCommand(), c.N())
	for index := 1; index <= last; index++ {
		c.WaitCommitted(index, c.N(), -1)
	}
	if err := checkAcknowledged(acks, c.N(), c.applies.Applied); err != nil {
		c.Fatalf("%v", err)
	}
}

// KillAfterRestarts checks that Kill stops every goroutine of servers that
// crashed and restarted while commands were committed: replicators,
// appliers and RPC goroutines of every instance. A goroutine that gets a
// reply after Kill may act on it once (it was already running); one that
// keeps going fails. Other tests only warn about goroutines left behind;
// this one costs the points.
func KillAfterRestarts(c *Cluster) {
	c.Boot(3)
	c.SetLongReordering(true)
	for round := range 3 {
		c.Agree(round, c.N())
		c.Restart(c.CheckOneLeader())
		c.Sleep(100 * time.Millisecond)
	}
	c.Agree(3, c.N())
	c.CheckKillStopsGoroutines()
}
