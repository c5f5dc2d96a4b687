package labtest

// Lab 4: snapshots and log compaction. Paper §7 and Figure 13. In every
// lab 4 test the service above each server snapshots every
// SnapshotInterval applied entries (package service), and the apply checker
// checks each snapshot that comes back on applyCh.

// A fault is what befalls one server in each round of a snapshot scenario.
type fault int

const (
	noFault    fault = iota
	disconnect       // cut off, then connected again
	crash            // crashed, then restarted from its disk
)

// snapshotRounds plays rounds of commands with one server missing in each
// (cut off or crashed, by f; see missSnapshots): a follower, or every
// third round the leader itself. unreliable makes the network lose and
// delay messages.
func (c *Cluster) snapshotRounds(rounds int, f fault, unreliable bool) {
	c.t.Helper()
	opts := []Option{Snapshots}
	if unreliable {
		opts = append(opts, Unreliable)
	}
	c.Boot(3, opts...)
	c.Agree(c.randomCommand(), 3)
	leader := c.CheckOneLeader()
	for round := range rounds {
		victim := c.Next(leader)
		if round%3 == 1 {
			victim = leader
		}
		c.missSnapshots(victim, f)
		leader = c.CheckOneLeader()
	}
}

// missSnapshots takes server i away (cuts it off or crashes it, by f;
// with noFault it stays) while the others commit more than two snapshots'
// worth of entries, so that the entries it needs are gone from every log
// when it returns, and only InstallSnapshot can bring it up to date. Every
// saved Raft state is checked against RaftStateBound. Then i is back, and
// every server must apply the next command.
func (c *Cluster) missSnapshots(i int, f fault) {
	c.t.Helper()
	switch f {
	case disconnect:
		c.Disconnect(i)
	case crash:
		c.Crash(i)
	}
	up := c.N()
	if f != noFault {
		up--
	}

	// More than two snapshots' worth of entries, so every log is
	// compacted past where the missing server stopped.
	for range 2*SnapshotInterval + c.Rand(SnapshotInterval) {
		c.Agree(c.randomCommand(), up)
	}
	c.CheckRaftStateSize()

	// Back: it catches up from a snapshot, and agrees on what follows.
	switch f {
	case disconnect:
		c.Connect(i)
	case crash:
		c.Restart(i)
	}
	c.Agree(c.randomCommand(), c.N())
}

// SnapshotBasic checks that servers whose service snapshots every 10
// entries go on agreeing, first with no faults, then with a follower cut
// off while the others compact their logs past its last entry, which must
// catch up from the leader's snapshot when it returns; that every snapshot
// a server hands back matches what was applied; and that each server's
// saved Raft state stays under RaftStateBound (2000 bytes). Paper §7.
func SnapshotBasic(c *Cluster) {
	c.snapshotRounds(4, noFault, false)
	c.missSnapshots(c.Next(c.CheckOneLeader()), disconnect)
}

// SnapshotInstall checks that a follower cut off while the others commit
// and compact their logs past its last entry is brought up to date by the
// leader's InstallSnapshot when it returns, and then applies the entries
// that follow the snapshot. Paper §7 and Figure 13: "the leader must
// occasionally send snapshots to followers that lag behind".
func SnapshotInstall(c *Cluster) {
	c.snapshotRounds(6, disconnect, false)
}

// SnapshotInstallUnreliable checks SnapshotInstall on a network that loses
// and delays messages: an InstallSnapshot may be lost, or arrive twice.
// Paper §7 and Figure 13.
func SnapshotInstallUnreliable(c *Cluster) {
	c.snapshotRounds(6, disconnect, true)
}

// SnapshotInstallCrash checks SnapshotInstall with crashes instead of
// disconnections: a server restarts from its saved snapshot and state, and
// a lagging one is brought up to date by InstallSnapshot. Paper §7 and
// Figure 13.
func SnapshotInstallCrash(c *Cluster) {
	c.snapshotRounds(6, crash, false)
}

// SnapshotInstallUnreliableCrash checks SnapshotInstallCrash on a network
// that loses and delays messages. Paper §7 and Figure 13.
func SnapshotInstallUnreliableCrash(c *Cluster) {
	c.snapshotRounds(6, crash, true)
}

// SnapshotAllCrash checks that after every server crashes at once and
// restarts from its snapshot and saved state, the log goes on at a later
// index, five times over: no committed entry, snapshotted or not, is lost.
// In every other round, one server crashed earlier has just caught up
// from its leader's snapshot, and restarts from that one. Paper §7: the
// snapshot and the log after it are saved before a server answers.
func SnapshotAllCrash(c *Cluster) {
	c.Boot(3, Snapshots)
	c.Agree(c.randomCommand(), 3)
	for round := range 5 {
		// Enough entries for a snapshot or two; or, every other round,
		// for two, while one server is down and then catches up.
		if round%2 == 1 {
			c.missSnapshots(c.Rand(c.N()), crash)
		} else {
			for range SnapshotInterval/2 + c.Rand(SnapshotInterval) {
				c.Agree(c.randomCommand(), 3)
			}
		}
		before := c.Agree(c.randomCommand(), 3)

		// Every server crashes and restarts.
		for i := range c.N() {
			c.Crash(i)
		}
		for i := range c.N() {
			c.Restart(i)
		}

		// The log goes on after the last entry committed before the crash.
		if after := c.Agree(c.randomCommand(), 3); after <= before {
			c.Fatalf("after every server restarted, the next command was committed at index %d, but index %d had "+
				"been committed before the crash: a restarted server must keep its snapshot and the log after it",
				after, before)
		}
	}
}

// SnapshotInit checks that a server restarted from a snapshot starts from
// it before any new entry arrives: its service is restored from the
// snapshot, and the server applies only the entries after it (never an
// entry the snapshot covers), even when every server restarts twice with
// only one new entry in between. Just before the restarts, a follower cut
// off while the others compacted their logs has caught up from its
// leader's snapshot, which its Persister must then hold. Paper §7.
func SnapshotInit(c *Cluster) {
	c.Boot(3, Snapshots)
	c.missSnapshots(c.Next(c.CheckOneLeader()), disconnect)

	// Every server restarts from its snapshot and the entries after it.
	for i := range c.N() {
		c.Crash(i)
	}
	for i := range c.N() {
		c.Restart(i)
	}
	c.Agree(c.randomCommand(), 3)

	// And again, with one new entry: the restored snapshot must still be
	// in place.
	for i := range c.N() {
		c.Crash(i)
	}
	for i := range c.N() {
		c.Restart(i)
	}
	c.Agree(c.randomCommand(), 3)
}

// SnapshotWholeLog checks a snapshot that covers the whole log: after
// exactly 10 entries, committed while one follower is cut off, the other
// two servers' logs hold no entry after their snapshots, and the follower,
// back, is brought up to date by a snapshot of the leader's whole log. New
// entries must then be appended after it, on servers that run on and on
// servers restarted with nothing but the snapshot. Paper §7.
func SnapshotWholeLog(c *Cluster) {
	c.Boot(3, Snapshots)
	late := c.Next(c.CheckOneLeader())
	c.Disconnect(late)
	for range SnapshotInterval {
		c.AgreeOnce(c.randomCommand(), 2)
	}
	c.Sleep(ElectionTimeout / 2) // the other follower's snapshot too

	// Back, the follower has nothing the leader's log still holds.
	c.Connect(late)
	c.WaitCommitted(SnapshotInterval, 3, -1)

	// New entries right after the snapshot, on every server.
	c.Agree(c.randomCommand(), 3)

	// Again, with a follower restarted from a snapshot of its whole log.
	for c.applies.MaxIndex()%SnapshotInterval != 0 {
		c.Agree(c.randomCommand(), 3)
	}
	c.Sleep(ElectionTimeout / 2)
	f := c.Next(c.CheckOneLeader())
	c.Restart(f)
	for range 3 {
		c.Agree(c.randomCommand(), 3)
	}
	c.CheckRaftStateSize()
}
