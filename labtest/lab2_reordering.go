package labtest

import "time"

// Lab 2, continued: messages that arrive late or out of order. Figure 8's
// commitment rule, an AppendEntries from the past, and replies held back
// for seconds.

// Figure8 checks the commitment rule of §5.4.2 without any crash: a leader
// must not commit an entry from an earlier term by counting the servers
// that store it; only entries of its own term are committed that way. The
// scenario builds the paper's Figure 8 with partitions: an entry of term T
// reaches three of five servers under a later leader, and is then
// legitimately overwritten by a leader that holds a term T+1 entry. A
// leader that broke the rule applies the doomed entry first.
func Figure8(c *Cluster) {
	c.Boot(5)
	c.Agree(c.randomCommand(), 5)

	// (a) Leader L1 and one partner P are cut off together; L1 takes
	// entry X, which reaches P only.
	l1 := c.CheckOneLeader()
	p := c.Next(l1)
	rest := []int{c.Next(p), c.Next(c.Next(p)), c.Next(c.Next(c.Next(p)))}
	c.Partition([]int{l1, p}, rest)
	xIndex, termX := c.StartOnLeader(l1, c.randomCommand())
	c.Sleep(100 * time.Millisecond)

	// (b) The other three elect L2 in a later term; L2 and one follower F
	// are split off, and L2 takes entry Y at X's index, which reaches F only.
	l2, termY := c.Leader(rest, termX)
	var f, m int
	others := []int{}
	for _, i := range rest {
		if i != l2 {
			others = append(others, i)
		}
	}
	f, m = others[0], others[1]
	c.Partition([]int{l1, p}, []int{l2, f}, []int{m})
	yIndex, _ := c.StartOnLeader(l2, c.randomCommand())
	if yIndex != xIndex {
		c.Fatalf("s%d put its entry at index %d, want %d (after the one committed entry)", l2, yIndex, xIndex)
	}
	c.Sleep(100 * time.Millisecond)

	// (c) L1, P and M: M lacks X, so L1 or P wins, in a term after Y's,
	// and copies X to M. X is now on three of five servers, but it is of an
	// old term: it must not be committed.
	c.Partition([]int{l1, p, m}, []int{l2, f})
	l3, term3 := c.Leader([]int{l1, p, m}, termY)
	if l3 == m {
		c.historyFatalf("s%d was elected leader of term %d by s%d and s%d, though its log ends before index %d, "+
			"where both of them hold an entry of term %d: a voter must refuse a candidate whose log is less up to "+
			"date than its own (§5.4.1, RequestVote receiver rule 2)", m, term3, l1, p, xIndex, termX)
	}
	c.Sleep(2 * ElectionTimeout)
	c.CheckNotCommitted(xIndex, "it is an entry of an earlier term that reached a majority only under a "+
		"later leader (Figure 8): a leader commits only entries of its own term by counting replicas")

	// (d) L2, F and M: M's X is older than Y, so L2 or F wins and
	// overwrites X with Y. With a new entry of its term, Y commits.
	c.Partition([]int{l2, f, m}, []int{l1, p})
	l4, _ := c.Leader([]int{l2, f, m}, term3)
	c.StartOnLeader(l4, c.randomCommand())
	c.WaitCommitted(xIndex, 3, -1)

	// Everyone back: one log.
	c.Heal()
	c.Agree(c.randomCommand(), 5)
}

// LateAppendEntries checks that a follower keeps the entries after a
// matching prefix when an old AppendEntries arrives late: it may delete
// entries only when they conflict. Here the late message would otherwise
// erase committed entries, and a leader without them would be elected.
// Figure 2, AppendEntries, receiver rule 3: "If an existing entry conflicts
// with a new one (same index but different terms), delete the existing
// entry and all that follow it".
func LateAppendEntries(c *Cluster) {
	c.Boot(3)
	leader := c.CheckOneLeader()
	term, _ := c.GetState(leader)
	for range 5 {
		c.AgreeOnce(c.randomCommand(), 3)
	}

	// One follower is cut off; leader and the other follower commit five more.
	behind, ahead := c.Next(c.Next(leader)), c.Next(leader)
	c.Disconnect(behind)
	for range 5 {
		c.AgreeOnce(c.randomCommand(), 2)
	}
	if now, isLeader := c.GetState(leader); now != term || !isLeader {
		c.Fatalf("s%d stopped leading term %d (now term %d) on a reliable network with no faults", leader, term, now)
	}

	// The leader is cut off, and its AppendEntries for index 2, sent long
	// ago, reaches the follower now. It matches what the follower has.
	c.Disconnect(leader)
	entry2, _ := c.Applied(ahead, 2)
	late := appendRequest{Term: term, Leader: leader, PrevLogIndex: 1, PrevLogTerm: term,
		Entries: []logEntry{{Index: 2, Term: term, Command: entry2}}, LeaderCommit: 1}
	reply, ok := c.appendEntries(ahead, late)

	// It still holds the ten entries it acknowledged: the leader's
	// heartbeat after index 10 matches.
	if ok && reply.OK && reply.Term == term {
		after := appendRequest{Term: term, Leader: leader, PrevLogIndex: 10, PrevLogTerm: term, LeaderCommit: 1}
		if reply, ok := c.appendEntries(ahead, after); ok && !reply.OK && reply.Term == term {
			c.Fatalf("s%d refused an AppendEntries of term %d with prevLogIndex 10 and prevLogTerm %d, an entry it "+
				"had acknowledged and applied, right after it accepted a late AppendEntries of that term with "+
				"prevLogIndex 1 and the entry it already held at index 2: it deleted the entries after index 2, "+
				"though none conflicted. Figure 2, AppendEntries receiver rule 3: \"If an existing entry conflicts "+
				"with a new one (same index but different terms), delete the existing entry and all that follow it\"; "+
				"an entry that matches is kept, with all that follow it", ahead, term, term)
		}
	}

	// The two followers must elect the one that holds all ten entries, so
	// the next command lands at index 11.
	c.Connect(behind)
	if index := c.Agree(c.randomCommand(), 2); index != 11 {
		c.Fatalf("after a late AppendEntries, the next command landed at index %d, want 11: committed "+
			"entries were lost (a matching AppendEntries must not delete the entries that follow it)", index)
	}
	c.Connect(leader)
	c.Agree(c.randomCommand(), 3)
}

// KillAfterAgreement checks that Kill stops every goroutine a server
// started once it has replicated and applied entries: appliers and
// replicators included, even those waiting on a sync.Cond. Other tests only
// warn about goroutines left behind; this one costs the points.
func KillAfterAgreement(c *Cluster) {
	c.Boot(3)
	for cmd := 1; cmd <= 5; cmd++ {
		c.Agree(cmd, c.N())
	}
	c.CheckKillStopsGoroutines()
}

// ReorderedReplies checks agreement on a network that holds replies back
// for 200ms to 2.2s, so that they arrive long after later ones, while the
// leader is cut off and returns, three times over. A reply must be judged by
// the request it answers and the term it was sent in, not by the server's
// state when it arrives: a late vote, a late success or a late refusal from
// an earlier term must change nothing. Paper §5.5: "Raft RPCs are
// idempotent", and Figure 2's terms.
func ReorderedReplies(c *Cluster) {
	c.Boot(5)
	c.SetLongReordering(true)
	c.Agree(c.randomCommand(), 5)
	for range 3 {
		// Commands go on with the leader cut off, and again with it back.
		leader := c.CheckOneLeader()
		c.Disconnect(leader)
		for range 3 {
			c.Agree(c.randomCommand(), 4)
		}
		c.Connect(leader)
		for range 2 {
			c.Agree(c.randomCommand(), 5)
		}
	}
	c.SetLongReordering(false)
	c.Agree(c.randomCommand(), 5)
}
