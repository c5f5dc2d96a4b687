package labtest

import (
	"fmt"
	"slices"
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
		rejoined := c.Now()
		c.Connect(old)
		c.Sleep(time.Second)
		c.checkSteppedDown(old, oldTerm, leader, newTerm, rejoined)
	}
}

// checkSteppedDown checks that old, which led oldTerm and has rejoined a
// cluster that leader leads in newTerm at rejoined, is a follower in
// newTerm or later.
func (c *Cluster) checkSteppedDown(old, oldTerm, leader, newTerm int, rejoined time.Duration) {
	c.t.Helper()
	term, isLeader := c.GetState(old)
	if isLeader && term > newTerm {
		cand, ok := c.history.CandidacyOf(old, term)
		if ok {
			if quiet := leaderQuiet(cand, newTerm, rejoined); quiet != "" {
				c.historyFatalf("s%d leads term %d, 1s after rejoining a cluster whose leader s%d was in term %d: %s, "+
					"so its election timer ran out, as it should; it stood for election in term %d at %s and won, "+
					"unseating s%d. A leader must keep sending AppendEntries to every server, one that was cut off "+
					"and has come back included, so that none times out (Figure 2, Leaders: \"repeat during idle "+
					"periods to prevent election timeouts\"). A heartbeat loop that waits for each reply sends nothing "+
					"while a Call to a server that was cut off waits to fail (up to 7s here, as over TCP)",
					old, term, leader, newTerm, quiet, term, seconds(cand.At), leader)
			}
		}
		how := "it stood for election again and won"
		if ok && cand.DownFrom > 0 {
			how = fmt.Sprintf("it stood for election in term %d at %s, %s after it learned that its term %d as leader "+
				"was over, and won", term, seconds(cand.At), seconds(cand.AfterDown), cand.DownFrom)
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

// quietBeforeStanding is how long a server may go without an AppendEntries
// before the history blames the leader, not the server's timer, for its
// election: three heartbeat intervals of a leader that sends ten a second,
// the most the course allows.
const quietBeforeStanding = 300 * time.Millisecond

// leaderQuiet says how long no AppendEntries of term newTerm or later had
// reached a server that rejoined at rejoined when it stood as cand, if
// that is quietBeforeStanding or more: then its timer was right to run out.
// It returns "" otherwise.
func leaderQuiet(cand candidacy, newTerm int, rejoined time.Duration) string {
	if cand.HeardAt >= rejoined && cand.HeardTerm >= newTerm {
		if quiet := cand.At - cand.HeardAt; quiet >= quietBeforeStanding {
			return fmt.Sprintf("no AppendEntries reached it for %s before it stood (the last, from s%d in term %d, at %s)",
				seconds(quiet), cand.HeardFrom, cand.HeardTerm, seconds(cand.HeardAt))
		}
		return ""
	}
	if quiet := cand.At - rejoined; quiet >= quietBeforeStanding {
		return fmt.Sprintf("no AppendEntries of term %d or later reached it in the %s from its return at %s to its "+
			"candidacy", newTerm, seconds(quiet), seconds(rejoined))
	}
	return ""
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
