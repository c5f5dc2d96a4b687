package labtest

import "time"

// Lab 1, rules the scenarios of lab1.go meet only by chance: here the test
// plays the leader itself.

// CandidateYields checks that a candidate that hears from the leader of its
// own term becomes its follower: its election timer restarts with each
// AppendEntries, so it stands for election no more. A candidate that
// refuses the leader of its term keeps campaigning in a term that already
// has a leader. The test cuts a server off, waits until it stands, and
// sends it, every 50ms, an AppendEntries of the term it stands in. Figure
// 2, Rules for Servers, Candidates: "If AppendEntries RPC received from new
// leader: convert to follower".
func CandidateYields(c *Cluster) {
	c.Boot(3)
	leader := c.CheckOneLeader()
	leaderTerm, _ := c.GetState(leader)
	f := c.Next(leader)

	// Cut off, f stands for election on its own, in a term no one leads.
	c.Disconnect(f)
	term := c.waitTermAbove(f, leaderTerm)

	// The leader of f's term (the test, in the name of the old leader)
	// sends f AppendEntries for three election timeouts: f must not stand
	// again.
	c.checkFollowsLeaderOf(f, term, leader)

	// Back with the others, f's higher term forces one more election.
	c.Connect(f)
	c.CheckOneLeader()
}

// checkFollowsLeaderOf sends server f, a candidate in term (or later) that
// only the test talks to, an AppendEntries from leader every 50ms for three
// election timeouts, each of the term f is in when the first is answered,
// and checks that f's term stays there.
func (c *Cluster) checkFollowsLeaderOf(f, term, leader int) {
	c.t.Helper()
	// f's timer may fire as the first message arrives: it then stands in
	// a later term, and refuses the message, rightly. Ask again in its term.
	for range 5 {
		reply, ok := c.appendEntries(f, appendRequest{Term: term, Leader: leader})
		if ok && reply.Term == term {
			break
		}
		term, _ = c.GetState(f)
	}
	start := c.Now()
	for c.Now()-start < 3*ElectionTimeout {
		c.appendEntries(f, appendRequest{Term: term, Leader: leader})
		if now, _ := c.GetState(f); now != term {
			c.historyFatalf("s%d, a candidate in term %d, was sent an AppendEntries of term %d from s%d, the leader "+
				"of that term, every 50ms, yet stood for election again in term %d, %s later: a candidate that hears "+
				"from the leader of its own term must become its follower (Figure 2, Candidates: \"If AppendEntries "+
				"RPC received from new leader: convert to follower\"), and a follower that hears from its leader "+
				"resets its election timer", f, term, term, leader, now, seconds(c.Now()-start))
		}
		c.Sleep(50 * time.Millisecond)
	}
}
