package labtest

import "time"

// Lab 2, rules the scenarios of lab2.go meet only by chance: here the test
// plays the leader itself.

// CommitWithinBatch checks that a follower commits no further than the
// last entry an AppendEntries vouched for. The test cuts a follower off and
// plays two leaders to it: the first, of a newer term, gives it three
// entries; the second, of the term after, holds only the first of them and
// an entry of its own after it, and sends the follower that first entry
// alone, with a commit index past it. The follower's second and third
// entries are not the leader's: committing them would apply entries the
// leader never had. Figure 2, AppendEntries receiver rule 5: "If
// leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of
// last new entry)".
func CommitWithinBatch(c *Cluster) {
	leader, last, term := c.threeCommitted()

	// f, cut off, is sent three entries by a leader of a newer term.
	f := c.Next(leader)
	c.Disconnect(f)
	stale := make([]logEntry, 3)
	newer := c.sendUntilTermHeld(f, func(u int) appendRequest {
		for k := range stale {
			stale[k] = logEntry{Index: last + 1 + k, Term: u, Command: c.randomCommand()}
		}
		return appendRequest{Term: u, Leader: leader, PrevLogIndex: last, PrevLogTerm: term, Entries: stale, LeaderCommit: last}
	})

	// The leader of the next term sends the first of them alone, with its
	// commit index two entries further: its own second entry is not f's.
	commit := last + 2
	second := c.sendUntilTermHeld(f, func(u int) appendRequest {
		return appendRequest{Term: max(u, newer+1), Leader: c.Next(f), PrevLogIndex: last, PrevLogTerm: term,
			Entries: stale[:1], LeaderCommit: commit}
	})

	// f applies the entry it was sent, and nothing after it.
	start := c.Now()
	for c.Now()-start < time.Second {
		if _, ok := c.Applied(f, last+2); ok {
			c.historyFatalf("s%d applied index %d, an entry of term %d that no AppendEntries had vouched for: the "+
				"last AppendEntries it received (term %d) carried prevLogIndex %d and 1 entry, with leaderCommit %d, "+
				"so the last new entry was index %d. A follower commits no further than that (Figure 2, "+
				"AppendEntries receiver rule 5: \"set commitIndex = min(leaderCommit, index of last new entry)\"), "+
				"not up to its own last index: its entries after the batch have not been checked against the "+
				"leader's log", f, last+2, newer, second, last, commit, last+1)
		}
		c.Sleep(10 * time.Millisecond)
	}
	if _, ok := c.Applied(f, last+1); !ok {
		c.historyFatalf("s%d did not apply index %d within 1s of an AppendEntries that gave it that entry with "+
			"leaderCommit %d: a follower commits through min(leaderCommit, index of last new entry) (Figure 2, "+
			"AppendEntries receiver rule 5) and applies what it commits", f, last+1, commit)
	}
}

// sendUntilTermHeld sends server f, which only the test talks to, the
// AppendEntries request(u) for a term u past f's current one, and returns
// u once f has accepted it in that term. f's election timer may fire as a
// message arrives, taking it to a later term: the message is then sent
// again, in a term past that one. A refusal in the request's own term
// fails the test: each request matches f's log.
func (c *Cluster) sendUntilTermHeld(f int, request func(u int) appendRequest) int {
	c.t.Helper()
	for range 5 {
		now, _ := c.GetState(f)
		req := request(now + 1)
		reply, ok := c.appendEntries(f, req)
		switch {
		case !ok || reply.Term != req.Term:
			continue
		case !reply.OK:
			c.historyFatalf("s%d refused an AppendEntries of term %d with prevLogIndex %d and prevLogTerm %d, which "+
				"its log holds: a follower whose log has an entry at prevLogIndex of term prevLogTerm accepts the "+
				"entries (Figure 2, AppendEntries receiver rules 2 to 4)", f, req.Term, req.PrevLogIndex, req.PrevLogTerm)
		}
		return req.Term
	}
	now, _ := c.GetState(f)
	c.historyFatalf("s%d (now in term %d) did not accept an AppendEntries of a newer term in 5 tries: a server "+
		"that receives an RPC of a term past its own adopts that term (Figure 2, Rules for All Servers)", f, now)
	return -1
}

// StaleAppendReply checks that a leader acts on an AppendEntries reply only
// in the term it sent the request in. The test answers for both followers.
// One of them holds back a request of the leader's term, as a slow network
// would; meanwhile the leader steps down and is elected again, in a later
// term, and only then does the request arrive: the follower, in the new
// term, refuses it as stale, and its reply carries the leader's new term.
// That refusal says nothing about the follower's log: a leader that backs
// nextIndex up on it has used a reply to a request of an earlier term.
// Figure 2, Rules for All Servers, and §5.1: a message of an older term is
// stale.
func StaleAppendReply(c *Cluster) {
	leader, last, term := c.threeCommitted()

	// The test answers for the followers, which hold the leader's log. One
	// holds every AppendEntries back, until the first of them, of this
	// term, is held.
	ps := c.followerPuppets(leader, term, c.others(leader)...)
	slow := ps[0]
	defer slow.ReleaseAll()
	slow.Hold()
	c.waitHeldAppend(leader, slow, term)

	// A candidate of the next term (the test, for the other follower)
	// takes the leader's vote; the leader times out, stands, and the
	// followers elect it again.
	holdNextVote([]*puppet{ps[0].Puppet, ps[1].Puppet}, term+1)
	releaseVotes([]*puppet{ps[0].Puppet, ps[1].Puppet})
	c.requestVote(leader, voteRequest{Term: term + 1, Candidate: ps[1].Me, LastLogIndex: 1 << 20, LastLogTerm: term + 1})
	again := c.waitLeads(leader, term+1)

	// The old request arrives now, and is refused in the new term. The
	// leader must go on sending from where it was, the end of its log as
	// a new leader's nextIndex is, as it does to a follower that has
	// refused nothing of its term. (A leader that sends from further back
	// already, the whole log, say, breaks no rule of this test: it only
	// must not go lower because of the stale refusal.)
	from := last
	if before, ok := slow.LowestPrev(again); ok {
		from = min(from, before)
	}
	slow.ForgetPrev(again)
	slow.ReleaseTerm(term)
	c.Sleep(250 * time.Millisecond)
	if prev, ok := slow.LowestPrev(again); ok && prev < from {
		c.historyFatalf("s%d, leader of term %d with %d entries, sent s%d an AppendEntries with prevLogIndex %d, "+
			"though s%d had refused no AppendEntries of term %d: it acted on s%d's refusal of an AppendEntries it "+
			"had sent in term %d, which arrived late and was refused as stale, in a reply of term %d. A reply "+
			"counts only for the term its request was sent in: compare the request's term, not the reply's, with "+
			"currentTerm (Figure 2, Rules for All Servers; §5.1: a request with a stale term is rejected)",
			leader, again, last, slow.Me, prev, slow.Me, again, slow.Me, term, again)
	}
	slow.ReleaseAll()
}

// waitHeldAppend waits up to a second for the follower puppet f to hold
// an AppendEntries of term from leader.
func (c *Cluster) waitHeldAppend(leader int, f *followerPuppet, term int) {
	c.t.Helper()
	start := c.Now()
	for c.Now()-start < time.Second {
		if f.HeldIn(term) > 0 {
			return
		}
		c.Sleep(5 * time.Millisecond)
	}
	c.historyFatalf("s%d, leader of term %d, sent s%d no AppendEntries for 1s: a leader sends each follower "+
		"AppendEntries, as heartbeats if it has nothing new, often enough that no election timeout passes "+
		"(Figure 2, Leaders)", leader, term, f.Me)
}

// waitLeads waits up to 5 seconds for server i to lead a term after term,
// and returns that term.
func (c *Cluster) waitLeads(i, term int) int {
	c.t.Helper()
	start := c.Now()
	for c.Now()-start < 5*time.Second {
		if now, isLeader := c.GetState(i); isLeader && now > term {
			return now
		}
		c.Sleep(10 * time.Millisecond)
	}
	now, _ := c.GetState(i)
	c.historyFatalf("s%d (now in term %d) was not elected within 5s after it voted in term %d, though the other "+
		"two servers (the test answered for them) granted their votes to its next election: a follower that hears "+
		"from no leader stands for election, and a candidate with votes from a majority becomes leader (Figure 2)",
		i, now, term)
	return -1
}

// threeCommitted boots three servers and has their leader commit three
// random commands on a reliable network, each applied by all three before
// the next: the state the tests of leader-follower exchanges start from.
// It returns the leader, the index of the last command and the term, and
// fails the test if the leader did not keep its term.
func (c *Cluster) threeCommitted() (leader, last, term int) {
	c.t.Helper()
	c.Boot(3)
	leader = c.CheckOneLeader()
	for range 3 {
		cmd := c.randomCommand()
		last, term = c.StartOnLeader(leader, cmd)
		if got := c.WaitCommitted(last, 3, -1); got != cmd {
			c.Fatalf("s%d accepted %d at index %d in term %d, but %s was applied there", leader, cmd, last, term, commandText(got))
		}
	}
	if now, isLeader := c.GetState(leader); now != term || !isLeader {
		c.Fatalf("s%d stopped leading term %d (now term %d) on a reliable network with no faults", leader, term, now)
	}
	return leader, last, term
}
