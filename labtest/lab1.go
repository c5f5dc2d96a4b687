package labtest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Lab 1: leader election. Paper §5.1–5.2 and Figure 2's RequestVote.

// InitialElection checks that three servers elect one leader, that every
// server agrees on its term, and that the term stays put while nothing
// fails. Paper §5.2.
func InitialElection(c *Cluster) {
	c.Boot(3)

	// A leader is elected.
	c.CheckOneLeader()

	// The followers hear it and adopt its term.
	c.Sleep(50 * time.Millisecond)
	term := c.CheckTermsAgree()
	if term < 1 {
		c.historyFatalf("the servers agree on term %d, but an election must start term 1 or later", term)
	}

	// With no failures, heartbeats keep every follower from starting an election.
	c.Sleep(2 * ElectionTimeout)
	if later := c.CheckTermsAgree(); later != term {
		c.historyFatalf("the term changed from %d to %d with no failures: the leader's heartbeats "+
			"should reset every follower's election timer", term, later)
	}

	// And there is still a leader.
	c.CheckOneLeader()
}

// ReElection checks that a new leader is elected when the leader is cut
// off, that the old leader's return does not unseat it, and that no leader
// is elected without a majority. Paper §5.2.
func ReElection(c *Cluster) {
	c.Boot(3)
	old := c.CheckOneLeader()

	// With the leader partitioned away, the others elect a new one.
	c.Disconnect(old)
	leader := c.CheckOneLeader()

	// The old leader's return must not unseat the new one.
	c.Connect(old)
	c.Sleep(ElectionTimeout)
	c.CheckLeaderIs(leader)

	// Without a majority, no one may become leader.
	c.Disconnect(leader, c.Next(leader))
	c.Sleep(2 * ElectionTimeout)
	c.CheckNoLeader()

	// With a majority again, a leader is elected.
	c.Connect(c.Next(leader))
	c.CheckOneLeader()

	// Everyone back: still one leader.
	c.Connect(leader)
	c.CheckOneLeader()
}

// ManyElections checks that seven servers keep electing a leader while
// three random servers at a time are cut off. Paper §5.2.
func ManyElections(c *Cluster) {
	c.Boot(7)
	c.CheckOneLeader()

	for range 10 {
		// Any four servers are a majority and must elect a leader.
		cut := c.pick(3)
		c.Disconnect(cut...)
		c.CheckOneLeader()
		c.Connect(cut...)
	}
	c.CheckOneLeader()
}

// UnreliableElection checks that five servers elect a new leader each time
// the leader is cut off, on a network that delays and drops messages.
// Paper §5.2.
func UnreliableElection(c *Cluster) {
	c.Boot(5, Unreliable)
	for range 5 {
		leader := c.CheckOneLeader()
		c.Disconnect(leader)
		c.CheckOneLeader()
		c.Connect(leader)
	}
	c.CheckOneLeader()
}

// StepDown checks, three times over, that a leader that learns of a higher
// term steps down: an old leader that rejoins stops believing it leads, and
// does not unseat the leader elected meanwhile. Paper §5.1: "If a candidate
// or leader discovers that its term is out of date, it immediately reverts
// to follower state."
func StepDown(c *Cluster) {
	c.Boot(3)
	for range 3 {
		old := c.CheckOneLeader()
		oldTerm, _ := c.GetState(old)

		// Cut off, the old leader still believes it leads; the others move on.
		c.Disconnect(old)
		leader := c.CheckOneLeader()
		newTerm, _ := c.GetState(leader)

		// Back on the network, one heartbeat exchange tells it about the new
		// term; give it a few.
		c.Connect(old)
		c.Sleep(time.Second)
		c.checkSteppedDown(old, oldTerm, leader, newTerm)
	}
}

// checkSteppedDown checks that old, which led oldTerm and has rejoined a
// cluster that leader leads in newTerm, is a follower in newTerm or later.
func (c *Cluster) checkSteppedDown(old, oldTerm, leader, newTerm int) {
	c.t.Helper()
	term, isLeader := c.GetState(old)
	if isLeader && term > newTerm {
		how := "it stood for election again and won"
		if cand, ok := c.history.candidacyOf(old, term); ok && cand.downFrom > 0 {
			how = fmt.Sprintf("it stood for election in term %d at %s, %s after it learned that its term %d as leader "+
				"was over, and won", term, seconds(cand.at), seconds(cand.afterDown), cand.downFrom)
		}
		c.historyFatalf("s%d leads term %d, 1s after rejoining a cluster whose leader s%d was in term %d: %s, "+
			"unseating s%d. A leader that steps down must start a fresh election timeout; one left from before it "+
			"led has long passed", old, term, leader, newTerm, how, leader)
	}
	if isLeader {
		c.historyFatalf("s%d still believes it leads term %d, 1s after rejoining a cluster whose leader s%d is in term %d: "+
			"a leader that sees a higher term in any RPC or reply must step down", old, term, leader, newTerm)
	}
	if term < newTerm {
		c.historyFatalf("s%d is in term %d, 1s after rejoining a cluster in term %d: a server that sees a higher term "+
			"must adopt it (it was leader of term %d)", old, term, newTerm, oldTerm)
	}
}

// StaleVote checks that a server refuses its vote to a candidate whose term
// is behind its own, even one whose log looks more up to date: the test
// itself sends each follower such a RequestVote, as a message delayed in
// the network would arrive. Figure 2, RequestVote, receiver rule 1: "Reply
// false if term < currentTerm (§5.1)".
func StaleVote(c *Cluster) {
	c.Boot(3)
	leader := c.CheckOneLeader()
	term := c.CheckTermsAgree()

	for _, i := range []int{c.Next(leader), c.Next(c.Next(leader))} {
		// The candidate is the leader itself, whom the follower may have
		// voted for: only the term may make it refuse.
		stale := voteRequest{Term: term - 1, Candidate: leader, LastLogIndex: 1 << 20, LastLogTerm: term}
		reply, ok := c.requestVote(i, stale)
		if !ok {
			c.Fatalf("s%d did not answer a RequestVote on a reliable network", i)
		}
		if reply.OK {
			c.Fatalf("s%d, in term %d, granted its vote to a candidate in term %d: a server must refuse "+
				"a RequestVote from an older term (Figure 2, RequestVote, rule 1)", i, term, term-1)
		}
		if reply.Term < term {
			c.Fatalf("s%d answered a RequestVote with term %d, but it is in term %d: the reply carries "+
				"currentTerm, so the candidate can update itself (Figure 2, RequestVote results)", i, reply.Term, term)
		}
	}

	// The old message disturbs nothing: the leader still leads.
	c.CheckLeaderIs(leader)
}

// IdleHeartbeats checks that an idle cluster's leader sends each follower
// heartbeats, and no more than ten a second: MIT 6.5840's rule, "the tester
// requires that the leader send heartbeat RPCs no more than ten times per
// second". What is counted is the RPCs each follower receives in ten idle
// seconds, so a reply never counts, even one sent as an RPC of its own.
// Paper §5.2.
func IdleHeartbeats(c *Cluster) {
	c.Boot(3)
	leader := c.CheckOneLeader()
	c.Sleep(ElectionTimeout) // let the election's own RPCs finish

	const window = 10 * time.Second
	before := make([]int, c.N())
	for i := range c.N() {
		before[i] = c.RPCCount(i)
	}
	c.Sleep(window)

	for _, i := range c.others(leader) {
		got := c.RPCCount(i) - before[i]
		perSecond := float64(got) / window.Seconds()
		if perSecond > 11 {
			c.Fatalf("follower s%d received %d RPCs in %v of idleness, %.1f a second; the budget is 10 a second "+
				"(11 with slack), counting every RPC a follower receives: MIT 6.5840's rule that the leader send "+
				"heartbeat RPCs no more than ten times per second. Send heartbeats every 100ms or more, and only "+
				"from the leader", i, got, window, perSecond)
		}
		if perSecond < 1 {
			c.Fatalf("follower s%d received %d RPCs in %v of idleness, %.1f a second: the leader must send "+
				"heartbeats often enough to keep followers from timing out (and at most ten a second)",
				i, got, window, perSecond)
		}
	}
}

// ElectionSpeed checks, five times over, that a new leader is elected
// within 5 seconds of the old one being cut off. Paper §5.2, §9.3.
func ElectionSpeed(c *Cluster) {
	c.Boot(3)
	for range 5 {
		old := c.CheckOneLeader()
		oldTerm, _ := c.GetState(old)
		c.Disconnect(old)
		lost := c.Now()

		// Poll closely so the time measured is the election's own.
		for {
			c.Sleep(10 * time.Millisecond)
			if leader, ok := c.connectedLeaderAfter(oldTerm); ok {
				if took := c.Now() - lost; took > 5*time.Second {
					c.historyFatalf("s%d was elected %s after leader s%d was cut off; the limit is 5s", leader, seconds(took), old)
				}
				break
			}
			if took := c.Now() - lost; took > 5*time.Second {
				terms, _ := c.states()
				c.historyFatalf("no new leader 5s after leader s%d was cut off\n  terms: %s", old, termList(terms))
			}
		}
		c.Connect(old)
	}
}

// StaleCandidate checks that a candidate from an old term cannot pull
// anyone's term back or win their votes. Figure 2: currentTerm "increases
// monotonically", and RequestVote's receiver rule 1: "Reply false if term <
// currentTerm (§5.1)". Seven servers: the old leader keeps one follower in
// its term while the other five move on two terms; then that follower
// joins four of them just before they lose their leader, so its election
// timer runs out first and it asks for votes in its old term.
func StaleCandidate(c *Cluster) {
	c.Boot(7)
	for range 3 {
		old := c.CheckOneLeader()
		oldTerm, _ := c.GetState(old)
		stale := c.Next(old)
		rest := c.others(old, stale)

		// The old leader, cut off with one follower, keeps it in its term;
		// the other five elect a leader, then another without the first.
		c.Partition([]int{old, stale}, rest)
		first, firstTerm := c.Leader(rest, oldTerm)
		c.Partition([]int{old, stale}, []int{first}, c.others(old, stale, first))
		second, secondTerm := c.Leader(c.others(old, stale, first), firstTerm)

		// The stale follower loses its leader; a moment later it joins
		// four servers of the newer term that have just lost theirs.
		c.Partition([]int{old}, []int{stale}, []int{first}, c.others(old, stale, first))
		c.Sleep(250 * time.Millisecond)
		group := c.others(old, first, second)
		c.Partition([]int{old}, []int{first}, []int{second}, group)
		c.checkTermsGrowUntilLeader(group, secondTerm, stale, oldTerm)
		c.Heal()
	}
	c.CheckOneLeader()
}

// checkTermsGrowUntilLeader polls servers every 10ms until one of them leads
// a term after term, failing if any server's term goes back meanwhile. stale
// is the server expected to stand for election in the earlier term
// staleTerm, named in the failure.
func (c *Cluster) checkTermsGrowUntilLeader(servers []int, term, stale, staleTerm int) {
	c.t.Helper()
	last := map[int]int{}
	for _, i := range servers {
		last[i], _ = c.GetState(i)
	}
	start := c.Now()
	for c.Now()-start < 5*time.Second {
		c.Sleep(10 * time.Millisecond)
		for _, i := range servers {
			t, isLeader := c.GetState(i)
			if t < last[i] {
				c.historyFatalf("s%d's term went back from %d to %d, after s%d, last in term %d, rejoined: a server's "+
					"currentTerm only ever increases (Figure 2), and a RequestVote from an earlier term is "+
					"refused (RequestVote rule 1)", i, last[i], t, stale, staleTerm)
			}
			last[i] = t
			if isLeader && t > term {
				return
			}
		}
	}
	c.historyFatalf("no leader among %s in a term after %d within 5s (they form a majority)", serverList(servers), term)
}

// others returns every server but the given ones.
func (c *Cluster) others(except ...int) []int {
	var rest []int
	for i := range c.n {
		if !slices.Contains(except, i) {
			rest = append(rest, i)
		}
	}
	return rest
}

// connectedLeaderAfter returns a connected server leading a term newer
// than term, if any.
func (c *Cluster) connectedLeaderAfter(term int) (int, bool) {
	c.t.Helper()
	_, leaders := c.states()
	for t, ls := range leaders {
		if t > term {
			return ls[0], true
		}
	}
	return -1, false
}

// pick returns k distinct random servers.
func (c *Cluster) pick(k int) []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rng.Perm(c.n)[:k]
}

// Kill checks that Kill stops every goroutine a server started: ten seconds
// after every server is killed, none of their goroutines may still run.
// Other tests only warn about goroutines left behind; this one costs the
// points. The skeleton's comment on Kill states the rule.
func Kill(c *Cluster) {
	c.Boot(3)
	c.CheckOneLeader()
	c.Sleep(ElectionTimeout)
	c.CheckKillStopsGoroutines()
}

// ElectionTimer checks which messages reset a follower's election timer, on
// a server cut off from the others that only the test talks to. Figure 2,
// Rules for Servers, Followers: "If election timeout elapses without
// receiving AppendEntries RPC from current leader or granting vote to
// candidate: convert to candidate". So a vote it grants resets the timer,
// and a RequestVote it refuses or an AppendEntries from an old term does
// not: a server that defers to messages it refuses may never stand, and a
// cluster can wait for ever on a candidate that cannot win.
func ElectionTimer(c *Cluster) {
	c.Boot(3)
	leader := c.CheckOneLeader()
	leaderTerm, _ := c.GetState(leader)
	f := c.Next(leader)

	// Cut off, f stands for election on its own, voting for itself.
	c.Disconnect(f)
	c.waitTermAbove(f, leaderTerm)

	// A RequestVote it refuses (it voted for itself in its term) every
	// 50ms: its elections go on, one per timeout.
	c.checkElectionsGoOn(f, "a RequestVote of its own term from another candidate, which it refused (it had voted for itself)",
		"a refused RequestVote must not reset the election timer",
		func(term int) (probeReply, bool) {
			return c.requestVote(f, voteRequest{Term: term, Candidate: leader})
		})

	// An AppendEntries from the term before its own every 50ms: the same.
	c.checkElectionsGoOn(f, "an AppendEntries from an earlier term, which it refused",
		"only an AppendEntries from the leader of the current term resets the election timer; "+
			"a stale one is refused (AppendEntries rule 1) and changes nothing",
		func(term int) (probeReply, bool) {
			return c.appendEntries(f, appendRequest{Term: term - 1, Leader: leader})
		})

	// A vote it grants every 50ms, to one candidate of a newer term: it
	// must not stand against the candidate it votes for.
	term, _ := c.GetState(f)
	next := term + 1
	granted := false
	start := c.Now()
	for c.Now()-start < 3*time.Second {
		reply, ok := c.requestVote(f, voteRequest{Term: next, Candidate: leader, LastLogIndex: 1 << 20, LastLogTerm: next})
		if now, _ := c.GetState(f); ok && !reply.OK && !granted && now == next {
			// f's own timer fired at the instant of the first request: it
			// stood in term next and voted for itself. Ask in the term after.
			next = now + 1
			continue
		}
		granted = granted || ok && reply.OK
		if now, _ := c.GetState(f); now > next {
			c.historyFatalf("s%d granted its vote to s%d in term %d every 50ms, yet stood for election itself in term %d, "+
				"%s later: granting a vote resets the election timer (Figure 2, Followers), so that a server does not "+
				"run against the candidate it has just voted for", f, leader, next, now, seconds(c.Now()-start))
		}
		if ok && !reply.OK {
			c.historyFatalf("s%d refused its vote to s%d, a candidate of term %d whose log is longer than its own, though "+
				"no one else had asked for its vote in that term: a server grants one vote per term, to the first "+
				"candidate whose log is at least as up to date (RequestVote rule 2)", f, leader, next)
		}
		c.Sleep(50 * time.Millisecond)
	}

	// Back with the others, f's high term forces one more election.
	c.Connect(f)
	c.CheckOneLeader()
}

// waitTermAbove waits up to 3 seconds for server i's term to pass term, and
// returns its new term.
func (c *Cluster) waitTermAbove(i, term int) int {
	c.t.Helper()
	start := c.Now()
	for c.Now()-start < 3*time.Second {
		if now, _ := c.GetState(i); now > term {
			return now
		}
		c.Sleep(10 * time.Millisecond)
	}
	now, _ := c.GetState(i)
	c.historyFatalf("s%d stayed in term %d for 3s without a leader to hear from: a follower that hears from no "+
		"leader must stand for election when its election timeout passes (Figure 2, Followers)", i, now)
	return -1
}

// checkElectionsGoOn sends server i, which only the test talks to, a
// message every 50ms for 3.5s, built by send from i's current term, and
// checks that i refuses each and still stands for election at least twice.
func (c *Cluster) checkElectionsGoOn(i int, what, rule string, send func(term int) (probeReply, bool)) {
	c.t.Helper()
	first, _ := c.GetState(i)
	const window = 3500 * time.Millisecond
	start := c.Now()
	for c.Now()-start < window {
		term, _ := c.GetState(i)
		if reply, ok := send(term); ok && reply.OK {
			c.historyFatalf("s%d, in term %d, accepted %s", i, term, strings.Replace(what, ", which it refused", "", 1))
		}
		c.Sleep(50 * time.Millisecond)
	}
	if last, _ := c.GetState(i); last-first < 2 {
		c.historyFatalf("s%d, cut off from the others, went from term %d to term %d in %s while the test sent it, every "+
			"50ms, %s: its election timer should have run out several times (%s; Figure 2, Followers)",
			i, first, last, seconds(window), what, rule)
	}
}

// LateVotes checks that a vote counts only in the election it was asked
// for. The test answers for two of three servers: they grant the third's
// vote in one election but the replies arrive late, once it has moved on,
// first to an election of its own in a later term (which they refuse), then
// to following another candidate. Counting those votes then would make it
// a leader nobody elected. Figure 2, Rules for Servers: Candidates become
// leader on "votes received from majority of servers" in their election;
// All Servers: a reply from an older term is out of date.
func LateVotes(c *Cluster) {
	c.Boot(3)
	s := c.CheckOneLeader()
	term, _ := c.GetState(s)

	// The others are replaced by puppets in a later term: s steps down,
	// times out and stands. They grant its election's votes, held back.
	ps := c.puppets(s, term+1, c.others(s)...)
	holdNextVote(ps, term+1)
	held := c.waitHeld(s, ps)

	// s times out and stands again; the puppets refuse. Then the old
	// votes arrive.
	c.waitTermAbove(s, held)
	releaseVotes(ps)
	c.checkNeverLeads(s, ps, held, func(t int) string {
		return fmt.Sprintf("s%d became leader in term %d, though the two other servers (the test answered for them) "+
			"refused it in every term after %d: it counted their votes from its election of term %d, which arrived "+
			"after it had moved on to a new election. A vote counts only in the election it was asked for: "+
			"count a reply only while still a candidate in the term of the request (Figure 2, Candidates)",
			s, t, held, held)
	})

	// Again, but this time a candidate of a newer term asks s for its vote
	// before the old votes arrive: s is a follower when they do.
	now, _ := c.GetState(s)
	holdNextVote(ps, now)
	held = c.waitHeld(s, ps)
	newer, _ := c.GetState(s)
	newer++
	c.requestVote(s, voteRequest{Term: newer, Candidate: ps[0].me, LastLogIndex: 1 << 20, LastLogTerm: newer})
	releaseVotes(ps)
	c.checkNeverLeads(s, ps, held, func(t int) string {
		return fmt.Sprintf("s%d became leader in term %d, though it had become a follower in term %d (a candidate of "+
			"that term asked for its vote) and the two other servers (the test answered for them) refused it in "+
			"every term after %d: it counted votes of its election of term %d that arrived late. A reply from an "+
			"older term must be ignored: before counting a vote, check that the server is still a candidate, in "+
			"the term of the request (Figure 2, Rules for All Servers and Candidates)", s, t, newer, held, held)
	})
}

// waitHeld waits up to 5 seconds for server s to ask every puppet for its
// vote in one election, which the puppets hold, and returns its term.
func (c *Cluster) waitHeld(s int, ps []*puppet) int {
	c.t.Helper()
	start := c.Now()
	for c.Now()-start < 5*time.Second {
		term := ps[0].heldTerm()
		all := term > 0
		for _, p := range ps[1:] {
			all = all && p.heldTerm() == term
		}
		if all {
			return term
		}
		c.Sleep(5 * time.Millisecond)
	}
	now, _ := c.GetState(s)
	c.historyFatalf("s%d (now in term %d) did not ask both other servers for their votes within 5s of hearing from "+
		"them of a newer term and no leader: a follower that hears from no leader must stand for election, "+
		"sending RequestVote to every other server", s, now)
	return -1
}

// checkNeverLeads watches server s for a second: it must not lead any term
// after held, since the puppets grant no vote there. failure says why.
func (c *Cluster) checkNeverLeads(s int, ps []*puppet, held int, failure func(term int) string) {
	c.t.Helper()
	start := c.Now()
	for c.Now()-start < time.Second {
		if t, isLeader := c.GetState(s); isLeader && t > held {
			c.historyFatalf("%s", failure(t))
		}
		for _, p := range ps {
			for t := held + 1; t <= held+20; t++ {
				if p.sawAppend(t) {
					c.historyFatalf("%s (it sent AppendEntries as leader of term %d)", failure(t), t)
				}
			}
		}
		c.Sleep(10 * time.Millisecond)
	}
}
